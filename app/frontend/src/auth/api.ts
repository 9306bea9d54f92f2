// Session login for studios that require authentication (docs/security.md). On the default
// personal studio (127.0.0.1) /auth/me answers auth_required=false and nothing else is needed.
import { requestJson } from '../components/videoGen/api/videoGeneration';

export interface AuthState {
  user: string | null;
  auth_required: boolean;
}

/** Also sets Django's csrftoken cookie, which later writes send back as X-CSRFToken. */
export function getMe(signal?: AbortSignal): Promise<AuthState> {
  return requestJson<AuthState>('/auth/me', { signal });
}

export function signIn(username: string, password: string): Promise<AuthState> {
  return requestJson<AuthState>('/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

export function signOut(): Promise<AuthState> {
  return requestJson<AuthState>('/auth/logout', { method: 'POST' });
}

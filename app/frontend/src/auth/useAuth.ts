import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type AuthState, getMe, signIn, signOut } from './api';

export const authKey = ['auth', 'me'] as const;

export function useAuth() {
  const client = useQueryClient();
  const me = useQuery({
    queryKey: authKey,
    queryFn: ({ signal }) => getMe(signal),
    staleTime: 60_000,
    retry: false,
  });
  const after = (state: AuthState) => {
    // Everything cached belongs to the previous user (or to nobody): start over.
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' });
    client.setQueryData(authKey, state);
  };
  const login = useMutation({
    mutationFn: ({ username, password }: { username: string; password: string }) => signIn(username, password),
    // Django rotates the CSRF token on login; /auth/me hands out the new cookie.
    onSuccess: async (state) => {
      after(state);
      await client.invalidateQueries({ queryKey: authKey });
    },
  });
  const logout = useMutation({ mutationFn: signOut, onSuccess: after });

  // A studio without the /auth/ endpoints (or a failing one) is treated as open: the API
  // itself still answers 401 if it is not, and that refreshes this state.
  const state: AuthState = me.data ?? { user: null, auth_required: false };
  return {
    user: state.user,
    authRequired: state.auth_required,
    isLoading: me.isLoading,
    mustSignIn: state.auth_required && !state.user,
    login,
    logout,
  };
}

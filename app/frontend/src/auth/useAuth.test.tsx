import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useAuth } from './useAuth';
import { jsonBody, requestUrl } from '../test/fakeApi';
import { makeWrapper } from '../test/render';
import { createVideo } from '../components/videoGen/api/videoGeneration';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('useAuth', () => {
  it('needs no sign-in on a personal studio', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(json(200, { user: null, auth_required: false }))),
    );
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useAuth(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.mustSignIn).toBe(false);
  });

  it('treats a studio without /auth/ endpoints as open', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(json(404, { error: { message: 'Not found.' } }))),
    );
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useAuth(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.mustSignIn).toBe(false);
  });

  it('asks for a sign-in when required and signs in with the CSRF token', async () => {
    let signedIn = false;
    const answer = (url: RequestInfo | URL, init?: RequestInit): Response => {
      if (requestUrl(url) === '/auth/me') {
        document.cookie = 'csrftoken=tok123';
        return json(200, { user: signedIn ? 'alice' : null, auth_required: true });
      }
      if (requestUrl(url) === '/auth/login') {
        const body = jsonBody(init) as { username: string; password: string };
        if (body.password !== 'right') return json(401, { error: { message: 'Wrong username or password.' } });
        signedIn = true;
        return json(200, { user: 'alice', auth_required: true });
      }
      return json(404, {});
    };
    const fetchMock = vi.fn((url: RequestInfo | URL, init?: RequestInit) => Promise.resolve(answer(url, init)));
    vi.stubGlobal('fetch', fetchMock);
    const { Wrapper } = makeWrapper();
    const { result } = renderHook(() => useAuth(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.mustSignIn).toBe(true));

    await act(async () => {
      await result.current.login.mutateAsync({ username: 'alice', password: 'wrong' }).catch(() => undefined);
    });
    await waitFor(() => expect(result.current.login.error?.message).toBe('Wrong username or password.'));
    expect(result.current.mustSignIn).toBe(true);

    await act(async () => {
      await result.current.login.mutateAsync({ username: 'alice', password: 'right' });
    });
    await waitFor(() => expect(result.current.user).toBe('alice'));
    expect(result.current.mustSignIn).toBe(false);
    const loginCall = fetchMock.mock.calls.find(([u]) => requestUrl(u) === '/auth/login');
    expect(new Headers(loginCall?.[1]?.headers).get('X-CSRFToken')).toBe('tok123');
  });
});

describe('CSRF header', () => {
  it('is sent on writes, not on reads', async () => {
    document.cookie = 'csrftoken=abc';
    const fetchMock = vi.fn(() => Promise.resolve(json(201, { id: 'video_1' })));
    vi.stubGlobal('fetch', fetchMock);
    await createVideo({ prompt: 'x' });
    const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(new Headers(init.headers).get('X-CSRFToken')).toBe('abc');
    expect(init.credentials).toBe('same-origin');
  });
});

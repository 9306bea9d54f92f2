import { render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import NavBar from './NavBar';
import { FakeApi, cloudModel, previewModel } from '../test/fakeApi';
import { makeWrapper } from '../test/render';

afterEach(() => vi.unstubAllGlobals());

function renderNav() {
  const { Wrapper } = makeWrapper();
  return render(
    <Wrapper>
      <MemoryRouter>
        <NavBar />
      </MemoryRouter>
    </Wrapper>,
  );
}

describe('NavBar', () => {
  it('links to Video Generation when a provider is ready', async () => {
    const api = new FakeApi();
    api.install();
    renderNav();
    await waitFor(() => expect(api.calls.some((c) => c.path === '/v1/models')).toBe(true));
    const link = screen.getByRole('link', { name: 'Video Generation' });
    expect(link).toHaveAttribute('href', '/video-generation');
    expect(link).not.toHaveAttribute('aria-disabled');
  });

  it('disables Video Generation with an explanation when no provider is ready', async () => {
    const api = new FakeApi();
    api.models = [cloudModel, { ...previewModel, ready: false, detail: 'disabled by VIDEO_PREVIEW_ENABLED=false' }];
    api.install();
    renderNav();
    await waitFor(() =>
      expect(screen.getByRole('link', { name: 'Video Generation' })).toHaveAccessibleDescription(
        /Video Generation is unavailable: No video provider is ready/,
      ),
    );
    const item = screen.getByRole('link', { name: 'Video Generation' });
    expect(item).toHaveAttribute('aria-disabled', 'true');
    expect(item).not.toHaveAttribute('href');
  });
});

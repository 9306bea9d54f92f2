// The webhooks settings panel against the fake studio: add an endpoint (its secret shown once),
// the studio's refusal of a private address, test events and the delivery log with "send again",
// rotate, delete, and the settings endpoint that can only be tested.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebhooksPanel from './WebhooksPanel';
import { FakeApi, apiError } from '../../test/fakeApi';
import { makeWrapper } from '../../test/render';

afterEach(() => vi.unstubAllGlobals());

function setup(configure: (api: FakeApi) => void = () => undefined) {
  const api = new FakeApi();
  configure(api);
  api.install();
  const user = userEvent.setup();
  const writeText = vi.spyOn(navigator.clipboard, 'writeText');
  const { Wrapper } = makeWrapper();
  const view = render(
    <Wrapper>
      <WebhooksPanel />
    </Wrapper>,
  );
  return { api, user, writeText, view };
}

const endpoint = async (url: string) => {
  const list = await screen.findByRole('list', { name: 'Webhook endpoints' });
  return within(list).findByRole('listitem', { name: url });
};

describe('webhooks panel', () => {
  it('adds an endpoint with the chosen events and shows its secret once', async () => {
    const { api, user, writeText } = setup();
    expect(await screen.findByTestId('webhooks-empty')).toHaveTextContent('No endpoints yet.');
    const form = screen.getByRole('form', { name: 'Add a webhook endpoint' });
    await user.type(within(form).getByLabelText('URL'), 'https://hooks.example.com/studio');
    await user.click(within(form).getByRole('checkbox', { name: /A video was cancelled/ }));
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));

    const secret = await screen.findByRole('group', { name: 'Signing secret for https://hooks.example.com/studio' });
    expect(secret).toHaveAccessibleDescription(/Copy it now: it will not be shown again\./);
    expect(secret).toHaveFocus();
    const value = within(secret).getByRole<HTMLInputElement>('textbox', { name: 'Secret' });
    expect(value).toHaveAttribute('readonly');
    expect(value.value).toMatch(/^whsec_/);
    expect(api.calls.filter((c) => c.method === 'POST' && c.path === '/v1/webhooks').map((c) => c.body)).toEqual([
      {
        url: 'https://hooks.example.com/studio',
        events: ['video.completed', 'video.failed', 'sweep.completed', 'storyboard.completed', 'storyboard.failed'],
      },
    ]);
    // The form is ready for another; the new endpoint is listed, without its secret.
    expect(within(form).getByLabelText('URL')).toHaveValue('');
    const item = await endpoint('https://hooks.example.com/studio');
    expect(item).toHaveTextContent('video.completed, video.failed');
    expect(item).not.toHaveTextContent('whsec_');

    await user.click(within(secret).getByRole('button', { name: 'Copy secret' }));
    expect(writeText).toHaveBeenCalledWith(value.value);
    expect(within(secret).getByRole('status')).toHaveTextContent('Secret copied.');
    await user.click(within(secret).getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('webhook-secret')).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent('whsec_');
  });

  it("shows the studio's refusal of a private address by the field, keeping the text", async () => {
    const { user } = setup();
    const form = await screen.findByRole('form', { name: 'Add a webhook endpoint' });
    const url = within(form).getByLabelText('URL');
    await user.type(url, 'http://192.168.1.20/hook');
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      '192.168.1.20 is a loopback, private or link-local address; set STUDIO_WEBHOOK_ALLOW_PRIVATE=true to allow it.',
    );
    expect(url).toHaveAttribute('aria-invalid', 'true');
    expect(url).toHaveValue('http://192.168.1.20/hook');
    expect(screen.queryByTestId('webhook-secret')).not.toBeInTheDocument();
  });

  it('asks for at least one event before sending', async () => {
    const { api, user } = setup();
    const form = await screen.findByRole('form', { name: 'Add a webhook endpoint' });
    await user.type(within(form).getByLabelText('URL'), 'https://hooks.example.com/x');
    for (const box of within(form).getAllByRole('checkbox')) await user.click(box);
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    expect(within(form).getByRole('alert')).toHaveTextContent('Choose at least one event.');
    expect(api.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('sends a test event, shows the delivery log, and sends a delivery again', async () => {
    const { api, user } = setup((a) => {
      const w = a.webhooks.add({ url: 'https://hooks.example.com/log' });
      a.webhooks.receiverStatus = 500;
      a.webhooks.addDelivery(w.id, 'video.completed', { status: 'failed', attempts: 10, next_attempt_at: null });
    });
    const item = await endpoint('https://hooks.example.com/log');
    const toggle = within(item).getByRole('button', { name: 'Deliveries' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    const log = await within(item).findByRole('table', { name: 'Deliveries, newest first' });
    let rows = within(log).getAllByTestId('webhook-delivery');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('video.completed');
    expect(rows[0]).toHaveTextContent('Failed');
    expect(within(rows[0]).getByTestId('webhook-delivery-code')).toHaveTextContent('500');

    api.webhooks.receiverStatus = 204;
    await user.click(within(item).getByRole('button', { name: 'Send test event' }));
    expect(await within(item).findByText('Test event sent: its delivery is in the log below.')).toBeInTheDocument();
    await waitFor(() => expect(within(item).getAllByTestId('webhook-delivery')).toHaveLength(2));
    rows = within(item).getAllByTestId('webhook-delivery');
    expect(rows[0]).toHaveTextContent('webhook.test');
    expect(rows[0]).toHaveTextContent('Delivered');
    expect(within(rows[0]).getByTestId('webhook-delivery-code')).toHaveTextContent('204');

    // Send the failed one again: the receiver now answers 204.
    await user.click(within(rows[1]).getByRole('button', { name: /^Send again: video\.completed/ }));
    await waitFor(() => expect(within(item).getAllByTestId('webhook-delivery')[1]).toHaveTextContent('Delivered'));
    const again = within(item).getAllByTestId('webhook-delivery')[1];
    expect(again).toHaveTextContent('11');
    expect(within(again).getByTestId('webhook-delivery-code')).toHaveTextContent('204');
    expect(api.calls.some((c) => c.method === 'POST' && /\/deliveries\/whd_\d+\/resend$/.test(c.path))).toBe(true);
  });

  it('rotates the secret, showing the new one once with the 24 hours of overlap', async () => {
    const { api, user } = setup((a) => a.webhooks.add({ url: 'https://hooks.example.com/rot' }));
    const item = await endpoint('https://hooks.example.com/rot');
    await user.click(within(item).getByRole('button', { name: 'Rotate secret' }));
    const secret = await within(item).findByRole('group', { name: 'New signing secret' });
    expect(secret).toHaveAccessibleDescription(/will not be shown again.*old secret still signs.*24 hours/);
    expect(within(secret).getByRole<HTMLInputElement>('textbox', { name: 'Secret' }).value).toMatch(/^whsec_/);
    expect(api.calls.some((c) => c.method === 'POST' && c.path.endsWith('/rotate'))).toBe(true);
    await user.click(within(secret).getByRole('button', { name: 'Done' }));
    expect(within(item).queryByTestId('webhook-secret')).not.toBeInTheDocument();
  });

  it('deletes an endpoint once confirmed', async () => {
    const { api, user } = setup((a) => {
      a.webhooks.add({ url: 'https://hooks.example.com/a' });
      a.webhooks.add({ url: 'https://hooks.example.com/b' });
    });
    const item = await endpoint('https://hooks.example.com/a');
    await user.click(within(item).getByRole('button', { name: 'Delete' }));
    const confirm = within(item).getByRole('button', { name: 'Delete endpoint' });
    expect(confirm).toHaveFocus();
    await user.click(within(item).getByRole('button', { name: 'Keep it' }));
    expect(api.calls.some((c) => c.method === 'DELETE')).toBe(false);

    await user.click(within(item).getByRole('button', { name: 'Delete' }));
    await user.click(within(item).getByRole('button', { name: 'Delete endpoint' }));
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'https://hooks.example.com/a' })).toBeNull());
    expect(screen.getByRole('listitem', { name: 'https://hooks.example.com/b' })).toBeInTheDocument();
    expect(api.webhooks.endpoints.map((w) => w.url)).toEqual(['https://hooks.example.com/b']);
  });

  it('offers only a test for the endpoint from the settings, and shows a failed action’s message', async () => {
    const { api, user } = setup((a) =>
      a.webhooks.add({ id: 'wh_settings', url: 'https://ops.example.com/studio', from_settings: true }),
    );
    const item = await endpoint('https://ops.example.com/studio');
    expect(item).toHaveTextContent('from the settings (STUDIO_WEBHOOK_URL)');
    expect(within(item).queryByRole('button', { name: 'Rotate secret' })).not.toBeInTheDocument();
    expect(within(item).queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();

    api.override = (call) =>
      call.path.endsWith('/test') ? apiError(404, 'No webhook endpoint with id.', 'not_found') : null;
    await user.click(within(item).getByRole('button', { name: 'Send test event' }));
    expect(await within(item).findByTestId('webhook-error')).toHaveTextContent('No webhook endpoint with id.');
  });

  it("shows the list's error", async () => {
    setup((a) => {
      a.override = (call) => (call.path === '/v1/webhooks' ? apiError(403, 'Sign in first.', 'auth') : null);
    });
    expect(await screen.findByTestId('webhooks-error')).toHaveTextContent('Sign in first.');
  });
});

import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import UpstreamsStatus from './UpstreamsStatus';
import type { VideoModel } from './types/chat';
import { cloudModel, previewModel } from '../../test/fakeApi';

type Upstream = NonNullable<VideoModel['upstreams']>[number];

function upstream(name: string, state: Upstream['state'], extra: Partial<Upstream> = {}): Upstream {
  return {
    name,
    state,
    label: 'Wan 2.2 text-to-video',
    runner: 'tt-wan2.2',
    known: true,
    discovered: true,
    detail: '',
    checked_seconds_ago: 1,
    concurrency: 2,
    in_flight: 1,
    queue_size: 3,
    sound: false,
    ...extra,
  };
}

describe('upstreams status', () => {
  it('lists each server of a fleet with its runner, state and load', async () => {
    const fleet: VideoModel = {
      ...cloudModel,
      ready: true,
      upstreams: [
        upstream('tt-1', 'ready'),
        upstream('tt-2', 'down', { runner: null, known: false, in_flight: 0, queue_size: 0 }),
      ],
    };
    render(<UpstreamsStatus models={[previewModel, fleet]} />);
    await userEvent.click(screen.getByText(/1 of 2 servers ready/));
    expect(screen.getByTestId('upstream-tt-1')).toHaveTextContent('tt-wan2.2');
    expect(screen.getByTestId('upstream-tt-1')).toHaveTextContent('ready');
    expect(screen.getByTestId('upstream-tt-1')).toHaveTextContent('1 of 2 here, 3 in its queue');
    expect(screen.getByTestId('upstream-tt-2')).toHaveTextContent('runner not reported, unknown runner');
    expect(screen.getByTestId('upstream-tt-2')).toHaveTextContent('down, checked again shortly');
  });

  it('says nothing for one ready server or a model without servers', () => {
    const single: VideoModel = { ...cloudModel, ready: true, upstreams: [upstream('tt-1', 'ready')] };
    const { container } = render(<UpstreamsStatus models={[previewModel, single]} />);
    expect(container).toBeEmptyDOMElement();
  });

  it('shows a single server that is warming up', () => {
    const warming: VideoModel = { ...cloudModel, upstreams: [upstream('tt-1', 'warming_up')] };
    render(<UpstreamsStatus models={[warming]} />);
    expect(screen.getByText(/0 of 1 servers ready/)).toBeInTheDocument();
  });
});

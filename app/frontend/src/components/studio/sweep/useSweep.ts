// The sweep on the server (polled while cells move) and the actions on it: make, cancel, delete.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Sweep, SweepCreate } from '../api';
import { cancelSweep, createSweep, deleteSweep, getSweep } from '../api';
import { galleryKeys, videoKeys } from '../../videoGen/hooks/videoCache';

export const sweepKey = (id: string) => ['sweep', id] as const;
const MOVING = new Set<Sweep['status']>(['queued', 'in_progress']);

export function useSweep(id: string | null, handlers: { onCreated: (s: Sweep) => void; onDeleted: () => void }) {
  const client = useQueryClient();
  const sweep = useQuery({
    queryKey: sweepKey(id ?? ''),
    queryFn: ({ signal }) => getSweep(id ?? '', signal),
    enabled: id !== null,
    refetchInterval: (q) =>
      q.state.data && !MOVING.has(q.state.data.status) && q.state.data.content_url ? false : 1000,
  });
  const put = (s: Sweep) => client.setQueryData(sweepKey(s.id), s);
  const create = useMutation({
    mutationFn: (body: SweepCreate) => createSweep(body),
    onSuccess: (s) => {
      put(s);
      handlers.onCreated(s);
    },
  });
  const cancel = useMutation({
    mutationFn: (sweepId: string) => cancelSweep(sweepId),
    onSuccess: put,
    // A 409 (its cells finished meanwhile) or any other refusal: show the sweep as it is now.
    onError: (_err, sweepId) => void client.invalidateQueries({ queryKey: sweepKey(sweepId) }),
  });
  const remove = useMutation({
    mutationFn: (sweepId: string) => deleteSweep(sweepId),
    onSuccess: (_answer, sweepId) => {
      // The page leaves it (a new key); removing its query now would only make the still-mounted
      // observer fetch it again, and show the 404 of a sweep deleted on purpose.
      handlers.onDeleted();
      void client.cancelQueries({ queryKey: sweepKey(sweepId) });
      // Its cells' videos are gone too: the video page's lists read again.
      void client.invalidateQueries({ queryKey: videoKeys.all });
      void client.invalidateQueries({ queryKey: galleryKeys.all });
    },
  });
  return { sweep, create, cancel, remove };
}

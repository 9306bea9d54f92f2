// The board on the server (polled while it moves) and the actions on it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Storyboard, StoryboardCreate, StoryboardShotIn } from '../api';
import { createStoryboard, getStoryboard, regenerateShot, rerunStale, updateStoryboardShots } from '../api';

const SETTLED = new Set<Storyboard['status']>(['completed', 'failed', 'needs_attention']);

export const storyboardKey = (id: string) => ['storyboard', id] as const;

export function useStoryboard(id: string | null, onCreated: (board: Storyboard) => void) {
  const client = useQueryClient();
  const board = useQuery({
    queryKey: storyboardKey(id ?? ''),
    queryFn: ({ signal }) => getStoryboard(id ?? '', signal),
    enabled: id !== null,
    refetchInterval: (q) => {
      const data = q.state.data;
      if (!data) return 1500;
      // A completed board whose film is joined is done; one still joining answers no content_url yet.
      if (data.status === 'completed' && data.content_url) return false;
      return SETTLED.has(data.status) && data.status !== 'completed' ? false : 1000;
    },
  });
  const put = (b: Storyboard) => client.setQueryData(storyboardKey(b.id), b);
  const create = useMutation({
    mutationFn: (body: StoryboardCreate) => createStoryboard(body),
    onSuccess: (b) => {
      put(b);
      onCreated(b);
    },
  });
  const save = useMutation({
    mutationFn: (shots: StoryboardShotIn[]) => updateStoryboardShots(id ?? '', shots),
    onSuccess: put,
  });
  const reroll = useMutation({ mutationFn: (index: number) => regenerateShot(id ?? '', index), onSuccess: put });
  const rerun = useMutation({ mutationFn: () => rerunStale(id ?? ''), onSuccess: put });
  const busy = create.isPending || save.isPending || reroll.isPending || rerun.isPending;
  const error = create.error ?? save.error ?? reroll.error ?? rerun.error ?? board.error;
  return { board: board.data, create, save, reroll, rerun, busy, error };
}

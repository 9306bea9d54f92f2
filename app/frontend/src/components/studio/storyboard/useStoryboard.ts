// The board on the server (polled while it moves) and the actions on it (delete included).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Storyboard, StoryboardCreate, StoryboardShotIn } from '../api';
import {
  createStoryboard,
  deleteStoryboard,
  getStoryboard,
  regenerateShot,
  rerunStale,
  updateStoryboardShots,
} from '../api';

const SETTLED = new Set<Storyboard['status']>(['completed', 'failed', 'needs_attention']);

export const storyboardKey = (id: string) => ['storyboard', id] as const;

export function useStoryboard(
  id: string | null,
  onCreated: (board: Storyboard) => void,
  onDeleted: () => void = () => undefined,
) {
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
  const remove = useMutation({
    mutationFn: (boardId: string) => deleteStoryboard(boardId),
    onSuccess: (_answer, boardId) => {
      // The page leaves it (a new key); as for a sweep, its query is not removed under the observer.
      onDeleted();
      void client.cancelQueries({ queryKey: storyboardKey(boardId) });
    },
  });
  const busy = create.isPending || save.isPending || reroll.isPending || rerun.isPending || remove.isPending;
  const error = create.error ?? save.error ?? reroll.error ?? rerun.error ?? remove.error ?? board.error;
  return { board: board.data, create, save, reroll, rerun, remove, busy, error };
}

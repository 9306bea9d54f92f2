import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Sweep, SweepCreate } from '../api';
import { createSweep, getSweep } from '../api';
import { errorText, getVideo } from '../../videoGen/api/videoGeneration';
import { useModels } from '../../videoGen/hooks/useVideoChat';
import BatchFromFile from './BatchFromFile';
import SweepForm from './SweepForm';
import SweepGrid from './SweepGrid';

const sweepKey = (id: string) => ['sweep', id] as const;
const MOVING = new Set<Sweep['status']>(['queued', 'in_progress']);

export default function SweepView() {
  const [params, setParams] = useSearchParams();
  const sweepId = params.get('sweep');
  const client = useQueryClient();
  const { models, defaultModel } = useModels();
  const sweep = useQuery({
    queryKey: sweepKey(sweepId ?? ''),
    queryFn: ({ signal }) => getSweep(sweepId ?? '', signal),
    enabled: sweepId !== null,
    refetchInterval: (q) =>
      q.state.data && !MOVING.has(q.state.data.status) && q.state.data.content_url ? false : 1000,
  });
  const create = useMutation({
    mutationFn: (body: SweepCreate) => createSweep(body),
    onSuccess: (s) => {
      client.setQueryData(sweepKey(s.id), s);
      setParams({ sweep: s.id });
    },
  });
  const firstDone = sweep.data?.cells.find((c) => c.status === 'completed')?.video_id ?? null;
  // The grid's clock steps at the cells' frame rate, read from a finished cell's metadata.
  const fpsQuery = useQuery({
    queryKey: ['video', firstDone, 'fps'],
    queryFn: ({ signal }) => getVideo(firstDone ?? '', signal),
    enabled: firstDone !== null,
    staleTime: Infinity,
  });
  const fps = fpsQuery.data?.metadata?.fps ?? 16;
  // A batch from a file takes the form's model and size (left empty: the model's defaults).
  const [chosen, setChosen] = useState({ model: '', size: '' });
  const batchSettings = { model: chosen.model || null, size: chosen.size || null };

  return (
    <div className="flex flex-col gap-4 p-3 sm:p-6" data-testid="sweep-view">
      <h1 className="text-xl font-semibold">Sweep grid</h1>
      <BatchFromFile settings={batchSettings}>
        <SweepForm
          models={models}
          defaultModel={defaultModel}
          busy={create.isPending}
          serverError={create.error ? errorText(create.error) : null}
          onSubmit={(body) => create.mutate(body)}
          onSettings={setChosen}
        />
      </BatchFromFile>
      {sweep.error ? (
        <p role="alert" className="text-sm text-red-300">
          {errorText(sweep.error)}
        </p>
      ) : null}
      {sweep.data ? <SweepGrid key={sweep.data.id} sweep={sweep.data} fps={fps} /> : null}
    </div>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { errorText, getVideo } from '../../videoGen/api/videoGeneration';
import { useModels } from '../../videoGen/hooks/useVideoChat';
import BatchFromFile from './BatchFromFile';
import SweepForm from './SweepForm';
import SweepActions from './SweepActions';
import SweepGrid from './SweepGrid';
import { useSweep } from './useSweep';

export default function SweepView() {
  const [params, setParams] = useSearchParams();
  const sweepId = params.get('sweep');
  const { models, defaultModel } = useModels();
  const [notice, setNotice] = useState('');
  const { sweep, create, cancel, remove } = useSweep(sweepId, {
    onCreated: (s) => {
      setNotice('');
      setParams({ sweep: s.id });
    },
    onDeleted: () => {
      setParams({});
      setNotice('Sweep deleted, with its videos and grid.');
    },
  });
  const actionError = cancel.error ?? remove.error;
  // Drawn from a deferred copy: the grid's cells render in a render that yields to the browser
  // (a phone's Total Blocking Time), not in the blocking one a query's answer starts.
  const shown = useDeferredValue(sweep.data);
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
      <p role="status" className="text-sm text-emerald-300 empty:hidden" data-testid="sweep-notice">
        {notice}
      </p>
      {sweep.error || actionError ? (
        <p role="alert" className="text-sm text-red-300">
          {errorText(actionError ?? sweep.error)}
        </p>
      ) : null}
      {shown ? (
        <SweepGrid
          key={shown.id}
          sweep={shown}
          fps={fps}
          actions={
            <SweepActions
              sweep={shown}
              busy={cancel.isPending || remove.isPending}
              onCancel={() => {
                remove.reset();
                cancel.mutate(shown.id);
              }}
              onDelete={() => {
                cancel.reset();
                remove.mutate(shown.id);
              }}
            />
          }
        />
      ) : null}
    </div>
  );
}

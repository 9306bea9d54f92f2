import { useId, useState } from 'react';
import CardActions, { type CardHandlers } from './CardActions';
import DeriveForm, { type DeriveMode } from './DeriveForm';
import LinkForm from './LinkForm';
import QueueEditForm from './QueueEditForm';
import { ApiError, errorText } from './api/videoGeneration';
import type { QueuePlace } from './hooks/useQueue';
import type { ModelCapabilities, Video } from './types/chat';

interface Props extends CardHandlers {
  video: Video;
  caps: ModelCapabilities | undefined;
  busy: boolean;
  className?: string;
}

type Panel = DeriveMode | 'edit' | 'link';

/**
 * A video's actions and, once remix, extend or edit is chosen, its form: the list's cards and
 * the grid's tiles share it. A refused move (409 once the video has started) says why here.
 */
export default function CardControls({ video, caps, busy, className, onMove, onEditQueued, ...handlers }: Props) {
  const [panel, setPanel] = useState<Panel | null>(null);
  const [moving, setMoving] = useState(false);
  const [moveError, setMoveError] = useState<string | null>(null);
  const editId = useId();
  const linkId = useId();

  const move = onMove
    ? (place: QueuePlace) => {
        if (moving) return;
        setMoving(true);
        setMoveError(null);
        void onMove(video.id, place)
          .catch((err: unknown) => setMoveError(err instanceof ApiError ? err.message : errorText(err)))
          .finally(() => setMoving(false));
      }
    : undefined;

  return (
    <>
      <CardActions
        video={video}
        caps={caps}
        busy={busy}
        onDerive={setPanel}
        onMove={move}
        onEdit={onEditQueued ? () => setPanel('edit') : undefined}
        editId={editId}
        onLink={() => setPanel(panel === 'link' ? null : 'link')}
        linkOpen={panel === 'link'}
        linkId={linkId}
        steering={moving}
        className={className}
        {...handlers}
      />
      {moveError ? (
        <p role="alert" className="mt-2 text-sm text-red-300" data-testid="queue-move-error">
          {moveError}
        </p>
      ) : null}
      {panel === 'edit' && onEditQueued ? (
        <QueueEditForm
          video={video}
          caps={caps}
          onSave={onEditQueued}
          onClose={() => {
            // Back to the Edit button (still there while the video is queued) before the form goes.
            document.getElementById(editId)?.focus();
            setPanel(null);
          }}
        />
      ) : panel === 'link' && video.status === 'completed' ? (
        <LinkForm
          video={video}
          onClose={() => {
            document.getElementById(linkId)?.focus();
            setPanel(null);
          }}
        />
      ) : panel === 'remix' || panel === 'extend' ? (
        <DeriveForm
          mode={panel}
          video={video}
          caps={caps}
          onRemix={handlers.onRemix}
          onExtend={handlers.onExtend}
          onClose={() => setPanel(null)}
        />
      ) : null}
    </>
  );
}

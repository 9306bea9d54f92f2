import { useState } from 'react';
import CardActions, { type CardHandlers } from './CardActions';
import DeriveForm, { type DeriveMode } from './DeriveForm';
import type { ModelCapabilities, Video } from './types/chat';

interface Props extends CardHandlers {
  video: Video;
  caps: ModelCapabilities | undefined;
  busy: boolean;
  className?: string;
}

/** A video's actions and, once remix or extend is chosen, its form: the list's cards and the grid's tiles share it. */
export default function CardControls({ video, caps, busy, className, ...handlers }: Props) {
  const [derive, setDerive] = useState<DeriveMode | null>(null);
  return (
    <>
      <CardActions video={video} caps={caps} busy={busy} onDerive={setDerive} className={className} {...handlers} />
      {derive ? (
        <DeriveForm
          mode={derive}
          video={video}
          caps={caps}
          onRemix={handlers.onRemix}
          onExtend={handlers.onExtend}
          onClose={() => setDerive(null)}
        />
      ) : null}
    </>
  );
}

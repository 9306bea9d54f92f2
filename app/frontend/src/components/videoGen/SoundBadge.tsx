// A clip with sound says so on its card: a speaker and words a screen reader reads; the
// tooltip says what the sound is (codec, channels, rate), as measured by the studio.
import { Volume2 } from 'lucide-react';
import type { Video } from './types/chat';

function channels(count: number): string {
  if (count === 1) return 'mono';
  if (count === 2) return 'stereo';
  return `${count} channels`;
}

export function soundDetail(video: Video): string {
  const audio = video.audio;
  if (!audio) return 'Has sound';
  return `Has sound: ${audio.codec.toUpperCase()}, ${channels(audio.channels)}, ${audio.sample_rate / 1000} kHz`;
}

/** Nothing for a silent clip (or one not made yet). `compact`: the icon alone, its words hidden. */
export default function SoundBadge({ video, compact = false }: { video: Video; compact?: boolean }) {
  if (!video.has_audio) return null;
  return (
    <span
      className="inline-flex shrink-0 items-center gap-1 rounded-full bg-zinc-800 px-2 py-0.5 text-xs text-zinc-200"
      title={soundDetail(video)}
      data-testid="sound-badge"
    >
      <Volume2 className="h-3 w-3" aria-hidden="true" />
      <span className={compact ? 'sr-only' : undefined}>{compact ? 'Has sound' : 'sound'}</span>
    </span>
  );
}

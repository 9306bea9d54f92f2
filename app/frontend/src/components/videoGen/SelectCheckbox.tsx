import type { Video } from './types/chat';

interface Props {
  video: Video;
  selected: boolean;
  onSelect: (id: string, selected: boolean) => void;
  /** Added to its size and colour (placement). */
  className?: string;
}

/** Adds a video to the selection that the selection bar downloads or deletes (list card and grid tile). */
export default function SelectCheckbox({ video, selected, onSelect, className }: Props) {
  return (
    <input
      type="checkbox"
      checked={selected}
      onChange={(e) => onSelect(video.id, e.target.checked)}
      className={className ? `h-4 w-4 accent-brand-light ${className}` : 'h-4 w-4 accent-brand-light'}
      aria-label={`Select “${video.prompt.slice(0, 60)}”`}
      data-testid="job-select"
    />
  );
}

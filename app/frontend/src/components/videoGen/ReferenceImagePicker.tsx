// Image-to-video: pick, drop or paste a PNG/JPEG/WebP; a preview with a remove button.
import { ImagePlus } from 'lucide-react';
import { type DragEvent, useRef, useState } from 'react';
import CloseButton from './CloseButton';
import type { ReferenceImage } from './hooks/useComposer';

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/** The first usable image among dropped or pasted files, or an error. */
export function pickImage(files: Iterable<File>): { file: File } | { error: string } | null {
  let any = false;
  for (const f of files) {
    any = true;
    if (IMAGE_TYPES.includes(f.type)) return { file: f };
  }
  return any ? { error: 'Use a PNG, JPEG or WebP image.' } : null;
}

interface Props {
  reference: ReferenceImage | null;
  onChange: (blob: Blob | null, name?: string) => void;
}

export default function ReferenceImagePicker({ reference, onChange }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);

  const take = (files: Iterable<File>) => {
    const got = pickImage(files);
    if (!got) return;
    if ('error' in got) setError(got.error);
    else {
      setError(null);
      onChange(got.file, got.file.name);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    take(Array.from(e.dataTransfer.files));
  };

  if (reference) {
    return (
      <div className="flex items-center gap-2" data-testid="reference-preview">
        <img src={reference.url} alt="Reference image" className="h-11 w-16 rounded-md object-cover" />
        <span className="hidden max-w-40 truncate text-xs text-zinc-400 sm:inline">{reference.name}</span>
        <CloseButton
          label="Remove reference image"
          onClick={() => onChange(null)}
          className="flex rounded-md text-zinc-300 hover:bg-zinc-800"
          data-testid="reference-remove"
        />
      </div>
    );
  }
  return (
    <div
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      className={over ? 'rounded-md ring-2 ring-brand-light' : ''}
    >
      <button
        type="button"
        onClick={() => input.current?.click()}
        className="inline-flex min-h-11 items-center gap-1.5 rounded-md border border-dashed border-zinc-600 px-3 text-xs text-zinc-300 hover:bg-zinc-800"
        data-testid="reference-pick"
      >
        <ImagePlus className="h-4 w-4" aria-hidden="true" /> Start from an image (drop, paste or pick)
      </button>
      <input
        ref={input}
        type="file"
        accept={IMAGE_TYPES.join(',')}
        className="sr-only"
        tabIndex={-1}
        aria-label="Reference image file"
        data-testid="reference-file"
        onChange={(e) => {
          take(Array.from(e.target.files ?? []));
          e.target.value = '';
        }}
      />
      {error ? (
        <p role="alert" className="mt-1 text-xs text-red-300">
          {error}
        </p>
      ) : null}
    </div>
  );
}

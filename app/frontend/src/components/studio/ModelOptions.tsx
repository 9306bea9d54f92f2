import type { VideoModel } from '../videoGen/types/chat';

/** A model picker's choices: each model by its label, greyed out until its provider is ready. */
export default function ModelOptions({ models }: { models: readonly VideoModel[] }) {
  return (
    <>
      {models.map((m) => (
        <option key={m.id} value={m.id} disabled={!m.ready}>
          {m.label}
        </option>
      ))}
    </>
  );
}

import { modelData } from './data';
import ModelCard from './ModelCard';

export default function AIPlaygroundHome() {
  return (
    <div className="mx-auto w-full max-w-5xl px-4 py-8 sm:px-6 md:py-12">
      <header className="mb-8">
        <h1 className="text-3xl font-semibold tracking-tight sm:text-4xl">AI Playground</h1>
        <p className="mt-2 max-w-2xl text-zinc-400">
          Pick a model to try. Everything runs through this studio: jobs, files and history stay on your machine.
        </p>
      </header>
      <ul className="grid grid-cols-1 gap-6 sm:grid-cols-2 lg:grid-cols-3">
        {modelData.map((card) => (
          <li key={card.id}>
            <ModelCard card={card} />
          </li>
        ))}
      </ul>
    </div>
  );
}

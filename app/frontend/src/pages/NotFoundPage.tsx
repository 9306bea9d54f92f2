import { Link } from 'react-router-dom';

export default function NotFoundPage() {
  return (
    <div className="mx-auto max-w-xl p-8 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-zinc-400">There is nothing at this address.</p>
      <Link to="/" className="mt-4 inline-block rounded-md bg-brand px-4 py-2 text-white hover:bg-brand-light">
        Back to the AI Playground
      </Link>
    </div>
  );
}

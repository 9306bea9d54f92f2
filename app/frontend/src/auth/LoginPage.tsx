import { Loader2, LogIn } from 'lucide-react';
import { type SubmitEvent, useEffect, useId, useState } from 'react';
import { errorText } from '../components/videoGen/api/videoGeneration';
import { useAuth } from './useAuth';

interface LoginFieldProps {
  id: string;
  label: string;
  type?: 'password';
  autoComplete: string;
  value: string;
  onChange: (value: string) => void;
}

function LoginField({ id, label, type, autoComplete, value, onChange }: LoginFieldProps) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-zinc-300">
        {label}
      </label>
      <input
        id={id}
        type={type}
        autoComplete={autoComplete}
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="w-full rounded-md border border-zinc-700 bg-zinc-950 px-3 py-2 text-zinc-100"
      />
    </div>
  );
}

export default function LoginPage() {
  const { login } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const id = useId();

  useEffect(() => {
    document.title = 'Sign in · Video Studio';
  }, []);

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    login.mutate({ username, password });
  };

  return (
    <div className="flex min-h-full items-center justify-center p-4">
      <form
        onSubmit={submit}
        className="w-full max-w-sm space-y-4 rounded-2xl border border-zinc-800 bg-zinc-900 p-6 shadow-xl"
        aria-labelledby={`${id}-title`}
      >
        <div>
          <h1 id={`${id}-title`} className="text-xl font-semibold">
            Sign in to Video Studio
          </h1>
          <p className="mt-1 text-sm text-zinc-400">
            This studio is shared, so each person signs in to see their own videos.
          </p>
        </div>
        <LoginField
          id={`${id}-user`}
          label="Username"
          autoComplete="username"
          value={username}
          onChange={setUsername}
        />
        <LoginField
          id={`${id}-pass`}
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
        />
        {login.error ? (
          <p role="alert" className="rounded-md border border-red-500/40 bg-red-500/10 p-2 text-sm text-red-200">
            {errorText(login.error)}
          </p>
        ) : null}
        <button
          type="submit"
          disabled={login.isPending}
          className="inline-flex w-full items-center justify-center gap-2 rounded-md bg-brand px-4 py-2 font-medium text-white hover:bg-brand-light disabled:opacity-60"
        >
          {login.isPending ? (
            <Loader2 className="h-4 w-4 animate-spin" aria-hidden="true" />
          ) : (
            <LogIn className="h-4 w-4" aria-hidden="true" />
          )}
          Sign in
        </button>
        <p className="text-xs text-zinc-500">
          No account? The studio's owner adds one with <code>python3 run.py adduser NAME</code>.
        </p>
      </form>
    </div>
  );
}

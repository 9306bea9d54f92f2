import { Loader2, LogIn } from 'lucide-react';
import { type SubmitEvent, useEffect, useId, useState } from 'react';
import { Field } from '../components/videoGen/Field';
import { errorText } from '../components/videoGen/api/videoGeneration';
import { useAuth } from './useAuth';

// The form's two fields; the autocomplete names let password managers fill them in.
const LOGIN_FIELDS = {
  username: { label: 'Username', type: undefined, autoComplete: 'username' },
  password: { label: 'Password', type: 'password', autoComplete: 'current-password' },
} as const;

interface LoginFieldProps {
  id: string;
  kind: keyof typeof LOGIN_FIELDS;
  value: string;
  onChange: (value: string) => void;
}

function LoginField({ id, kind, value, onChange }: LoginFieldProps) {
  const { label, type, autoComplete } = LOGIN_FIELDS[kind];
  return (
    <Field id={id} label={label} labelClassName="mb-1 block text-sm font-medium text-zinc-300">
      <input
        id={id}
        type={type}
        autoComplete={autoComplete}
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="w-full rounded-md border border-zinc-700 bg-zinc-950 px-3 py-2 text-zinc-100"
      />
    </Field>
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
        <LoginField id={`${id}-user`} kind="username" value={username} onChange={setUsername} />
        <LoginField id={`${id}-pass`} kind="password" value={password} onChange={setPassword} />
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

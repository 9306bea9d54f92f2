// The prompt box's Enhance button and the suggestion it brings: the person's prompt, the
// suggested one with the added words marked, and Accept / Edit / Discard. The prompt box is
// changed only by Accept or Edit.
import { Check, Loader2, Sparkles, SquarePen, X } from 'lucide-react';
import { useMemo } from 'react';
import { ActionButton, primaryButton } from './CardActions';
import CloseButton from './CloseButton';
import Notice from './Notice';
import type { PromptEnhancer } from './hooks/usePromptEnhancer';
import type { EnhanceMode } from './types/chat';
import { addedWordCount, diffWords } from './wordDiff';

interface ButtonProps {
  enhancer: PromptEnhancer;
  prompt: string;
  mode: EnhanceMode;
}

/** Beside the prompt box: asks for a suggestion; a spinner and disabled while it is on its way. */
export function EnhanceButton({ enhancer, prompt, mode }: ButtonProps) {
  const waiting = enhancer.status.kind === 'waiting';
  const empty = prompt.trim() === '';
  return (
    <button
      type="button"
      onClick={() => enhancer.enhance(prompt, mode)}
      disabled={waiting || empty}
      aria-label={waiting ? 'Enhancing prompt…' : 'Enhance prompt'}
      aria-busy={waiting || undefined}
      title={
        empty
          ? 'Type a prompt first, then let the studio suggest a richer one'
          : `Suggest a richer prompt${enhancer.model ? ` (${enhancer.model})` : ''}; yours stays until you accept`
      }
      className="flex h-11 min-w-11 shrink-0 items-center justify-center gap-1.5 rounded-xl px-2 text-zinc-300 transition-colors hover:bg-zinc-800 hover:text-white disabled:cursor-not-allowed disabled:opacity-50"
      data-testid="enhance-button"
    >
      {waiting ? (
        <Loader2 className="h-5 w-5 animate-spin" aria-hidden="true" />
      ) : (
        <Sparkles className="h-5 w-5" aria-hidden="true" />
      )}
      <span className="hidden text-sm sm:inline">Enhance</span>
    </button>
  );
}

interface SuggestionProps {
  enhancer: PromptEnhancer;
  /**
   * Put the suggestion in the prompt box, remembering the person's own words. `edit`: to change
   * it before sending (the box gets the focus); otherwise accepted as it is.
   */
  onApply: (original: string, enhanced: string, edit: boolean) => void;
}

/** Under the prompt box: the waiting note, the suggestion with its actions, or why it failed. */
export function EnhanceSuggestion({ enhancer, onApply }: SuggestionProps) {
  const { status } = enhancer;
  const suggestion = status.kind === 'suggested' ? status.suggestion : null;
  const parts = useMemo(() => (suggestion ? diffWords(suggestion.original, suggestion.enhanced) : []), [suggestion]);
  if (status.kind === 'waiting') {
    return (
      <p role="status" className="flex items-center gap-2 text-xs text-zinc-400" data-testid="enhance-waiting">
        <Loader2 className="h-3.5 w-3.5 animate-spin" aria-hidden="true" /> Enhancing your prompt… it stays as it is
        until you choose.
      </p>
    );
  }
  if (status.kind === 'failed') {
    return (
      <Notice
        tone="error"
        rounded="rounded-xl"
        testId="enhance-error"
        message={<>Could not enhance the prompt: {status.message}</>}
        action={
          <CloseButton
            label="Dismiss enhance error"
            onClick={enhancer.dismiss}
            className="flex shrink-0 rounded text-red-300 hover:bg-red-500/20"
          />
        }
      />
    );
  }
  if (!suggestion) return null;
  const added = addedWordCount(parts);
  const apply = (edit: boolean) => {
    onApply(suggestion.original, suggestion.enhanced, edit);
    enhancer.dismiss();
  };
  return (
    <section
      aria-label="Suggested prompt"
      className="space-y-2 rounded-xl border border-brand-light/50 bg-zinc-900 p-3 text-sm"
      data-testid="enhance-suggestion"
    >
      <p className="text-xs text-zinc-400">
        Yours: <span className="break-words text-zinc-300">{suggestion.original}</span>
      </p>
      <p className="text-xs text-zinc-400">
        Suggested by {suggestion.model}
        {added > 0 ? `, ${added} ${added === 1 ? 'word' : 'words'} added (highlighted)` : ''}:
      </p>
      <p className="break-words whitespace-pre-wrap text-zinc-100" data-testid="enhance-text">
        {parts.map((part, i) =>
          part.added ? (
            <ins key={i} className="rounded-sm bg-emerald-500/20 text-emerald-200 no-underline">
              {part.text}
            </ins>
          ) : (
            <span key={i}>{part.text}</span>
          ),
        )}
      </p>
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          onClick={() => apply(false)}
          className={primaryButton}
          aria-label="Accept the suggested prompt"
          data-testid="enhance-accept"
        >
          <Check className="h-4 w-4" aria-hidden="true" /> Accept
        </button>
        <ActionButton
          icon={SquarePen}
          onClick={() => apply(true)}
          aria-label="Edit the suggested prompt in the prompt box"
          testId="enhance-edit"
        >
          Edit
        </ActionButton>
        <ActionButton
          icon={X}
          onClick={enhancer.dismiss}
          aria-label="Discard the suggested prompt"
          testId="enhance-discard"
        >
          Discard
        </ActionButton>
      </div>
    </section>
  );
}

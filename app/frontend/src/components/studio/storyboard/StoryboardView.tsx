import { Download, FileDown, FileUp, Plus, RefreshCw, Save } from 'lucide-react';
import { useDeferredValue, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Storyboard, StoryboardShot } from '../api';
import { getStoryboardFile, storyboardContentUrl, takeStoryboardInbox } from '../api';
import { useModels } from '../../videoGen/hooks/useVideoChat';
import { errorText } from '../../videoGen/api/videoGeneration';
import { downloadJson, parseBoardFile } from './boardFile';
import ConfirmDelete from '../ConfirmDelete';
import ModelOptions from '../ModelOptions';
import PlayAll from './PlayAll';
import type { DraftShot } from './shots';
import {
  blankShot,
  boardBody,
  continueUnavailable,
  draftChanged,
  draftFromFile,
  draftFromShot,
  joinChoices,
} from './shots';
import ShotStrip from './ShotStrip';
import { useStoryboard } from './useStoryboard';

const button =
  'inline-flex min-h-10 items-center gap-1.5 rounded border border-zinc-700 px-3 py-1.5 text-sm text-zinc-100 hover:bg-zinc-800 disabled:opacity-50';
const primary =
  'inline-flex min-h-10 items-center gap-1.5 rounded bg-brand px-3 py-1.5 text-sm font-medium text-white hover:opacity-90 disabled:opacity-50';
const field =
  'rounded border border-zinc-700 bg-zinc-950 px-2 py-1.5 text-sm text-zinc-100 focus:border-brand focus:outline-none';

function initialShots(): DraftShot[] {
  const inbox = takeStoryboardInbox();
  if (inbox.length === 0) return [blankShot()];
  return inbox.map((s) => ({
    ...blankShot(s.seconds ?? 2),
    prompt: s.prompt,
    seed: s.seed == null ? '' : String(s.seed),
  }));
}

const STATUS_TEXT: Record<Storyboard['status'], string> = {
  queued: 'Queued',
  in_progress: 'Making shots',
  completed: 'Done',
  failed: 'Failed',
  needs_attention: 'Needs attention: stale or changed shots wait to be re-run',
};

export default function StoryboardView() {
  const [params, setParams] = useSearchParams();
  const boardId = params.get('board');
  const { models, defaultModel } = useModels();
  const [modelId, setModelId] = useState('');
  const [size, setSize] = useState('');
  const [draft, setDraft] = useState<DraftShot[]>(initialShots);
  const [synced, setSynced] = useState<{ board: Storyboard | null; shots: StoryboardShot[] }>({
    board: null,
    shots: [],
  });
  const [fileError, setFileError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  // The board the page is leaving (New board, Load JSON, Delete): the URL still names it for a
  // render or two, and its shots must not be taken into the new draft meanwhile.
  const [left, setLeft] = useState<string | null>(null);
  if (left !== null && boardId !== left) setLeft(null); // the URL has moved on
  const fileRef = useRef<HTMLInputElement>(null);
  const leaveBoard = (shots: DraftShot[]) => {
    setLeft(boardId);
    setParams({});
    setSynced({ board: null, shots: [] });
    setDraft(shots);
  };
  const startOver = () => leaveBoard([blankShot()]);
  const sb = useStoryboard(
    boardId,
    (b) => {
      setNotice('');
      setParams({ board: b.id });
    },
    () => {
      startOver();
      setNotice("Storyboard deleted. Its shots' videos stay in your history.");
    },
  );
  // Drawn from a deferred copy: the shots render in a render that yields to the browser (a
  // phone's Total Blocking Time), not in the blocking one a query's answer starts.
  const fetched = useDeferredValue(sb.board);
  const board = boardId && boardId !== left && fetched?.id === boardId ? fetched : undefined;

  // Take the server's shots into the strip while nothing is edited (adjusting state during render).
  if (board && board !== synced.board) {
    const untouched = synced.board === null || !draftChanged(draft, synced.shots);
    setSynced({ board, shots: board.shots });
    if (untouched) {
      setDraft(board.shots.map(draftFromShot));
      setModelId(board.model);
      setSize(board.size ?? '');
    }
  }

  const model = models.find((m) => m.id === (modelId || defaultModel?.id)) ?? defaultModel;
  const sizes = model?.capabilities.sizes ?? [];
  const joins = joinChoices(model);
  const joinNote = continueUnavailable(model);
  const serverShots = new Map((board?.shots ?? []).map((s) => [s.id, s]));
  const dirty = board ? draftChanged(draft, board.shots) : true;
  const anyStale = board?.shots.some((s) => s.status === 'stale' || s.status === 'changed') ?? false;
  const ready = draft.length > 0 && draft.every((s) => s.prompt.trim() !== '');
  const body = () => boardBody(model?.id ?? '', size, draft);

  const setModel = (id: string) => {
    setModelId(id);
    const next = models.find((m) => m.id === id);
    if (next && !next.capabilities.image_to_video) {
      setDraft((shots) => shots.map((s) => (s.join === 'continue' ? { ...s, join: 'cut' } : s)));
    }
  };

  const saveFile = async () => {
    setFileError(null);
    try {
      downloadJson('storyboard.json', boardId ? await getStoryboardFile(boardId) : body());
    } catch (err) {
      setFileError(errorText(err));
    }
  };

  const loadFile = async (file: File) => {
    setFileError(null);
    try {
      const loaded = parseBoardFile(await file.text());
      leaveBoard(loaded.shots.map(draftFromFile));
      setModelId(loaded.model ?? '');
      setSize(loaded.size ?? '');
    } catch (err) {
      setFileError(errorText(err));
    }
  };

  return (
    <div className="flex flex-col gap-4 p-3 sm:p-6" data-testid="storyboard-view">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="mr-auto text-xl font-semibold">Storyboard</h1>
        <button type="button" className={button} onClick={() => void saveFile()}>
          <FileDown className="h-4 w-4" aria-hidden="true" /> Save as JSON
        </button>
        <button type="button" className={button} onClick={() => fileRef.current?.click()}>
          <FileUp className="h-4 w-4" aria-hidden="true" /> Load JSON
        </button>
        <input
          ref={fileRef}
          type="file"
          accept="application/json,.json"
          className="sr-only"
          tabIndex={-1}
          aria-label="Storyboard file"
          data-testid="board-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void loadFile(f);
            e.target.value = '';
          }}
        />
        {boardId ? (
          <button type="button" className={button} onClick={startOver}>
            New board
          </button>
        ) : null}
        {boardId ? (
          // Shown from the first render of a board's URL (disabled until the board has loaded), so
          // the header does not wrap to a second line under the page when it arrives (layout shift).
          <ConfirmDelete
            label="Delete storyboard"
            question="Delete this storyboard and its joined video? Its shots' videos stay in your history."
            busy={sb.busy || !board}
            onConfirm={() => {
              if (board) sb.remove.mutate(board.id);
            }}
            testId="board-delete"
          />
        ) : null}
      </div>
      <p role="status" className="text-sm text-emerald-300 empty:hidden" data-testid="board-notice">
        {notice}
      </p>
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1 text-xs font-medium text-zinc-300">
          Model
          <select
            className={field}
            value={model?.id ?? ''}
            disabled={Boolean(board)}
            onChange={(e) => setModel(e.target.value)}
            data-testid="board-model"
          >
            <ModelOptions models={models} />
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium text-zinc-300">
          Size
          <input
            className={`${field} w-32`}
            list="board-sizes"
            placeholder={model?.capabilities.default_size ?? 'default'}
            value={size}
            disabled={Boolean(board)}
            onChange={(e) => setSize(e.target.value.trim())}
            data-testid="board-size"
          />
          <datalist id="board-sizes">
            {sizes.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </label>
        {board ? (
          <p className="text-sm text-zinc-300" role="status" data-testid="board-status">
            {STATUS_TEXT[board.status]}
            {board.status === 'in_progress' ? ` (${String(board.progress)}%)` : ''}
          </p>
        ) : null}
      </div>
      {joinNote ? <p className="text-xs text-zinc-400">{joinNote}</p> : null}
      <ShotStrip
        shots={draft}
        server={serverShots}
        joins={joins}
        joinNote={null}
        busy={sb.busy}
        onChange={setDraft}
        onReroll={board ? (index) => sb.reroll.mutate(index) : null}
      />
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          className={button}
          onClick={() => setDraft((d) => [...d, blankShot(model?.capabilities.default_seconds ?? 2)])}
          disabled={draft.length >= 32}
        >
          <Plus className="h-4 w-4" aria-hidden="true" /> Add shot
        </button>
        {board ? (
          <button
            type="button"
            className={primary}
            disabled={!dirty || !ready || sb.busy}
            onClick={() =>
              sb.save.mutate(body().shots, {
                // The saved list is the board's now (new shots have their ids): start again from it.
                onSuccess: (saved) => {
                  setSynced({ board: saved, shots: saved.shots });
                  setDraft(saved.shots.map(draftFromShot));
                },
              })
            }
          >
            <Save className="h-4 w-4" aria-hidden="true" /> Save changes
          </button>
        ) : (
          <button
            type="button"
            className={primary}
            disabled={!ready || sb.busy}
            onClick={() => sb.create.mutate(body())}
            data-testid="make-board"
          >
            Make storyboard
          </button>
        )}
        {anyStale ? (
          <button type="button" className={button} disabled={sb.busy} onClick={() => sb.rerun.mutate()}>
            <RefreshCw className="h-4 w-4" aria-hidden="true" /> Re-run stale shots
          </button>
        ) : null}
        {board?.content_url ? (
          <a className={button} href={storyboardContentUrl(board.id, true)} download data-testid="board-download">
            <Download className="h-4 w-4" aria-hidden="true" /> Download
          </a>
        ) : null}
      </div>
      {sb.error || fileError || board?.error ? (
        <p role="alert" className="rounded border border-red-500/40 bg-red-500/10 p-2 text-sm text-red-200">
          {fileError ?? (sb.error ? errorText(sb.error) : board?.error?.message)}
        </p>
      ) : null}
      {board?.content_url ? <PlayAll board={board} /> : null}
    </div>
  );
}

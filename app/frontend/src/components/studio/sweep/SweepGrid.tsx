import { Download } from 'lucide-react';
import type { ReactNode } from 'react';
import { useEffect, useMemo, useState } from 'react';
import type { Sweep } from '../api';
import { sweepContentUrl } from '../api';
import ClockControls from './ClockControls';
import { axisValueLabel, cellAt, cellLabel } from './cells';
import { PARAM_LABEL } from './axes';
import { SharedClock } from './sharedClock';
import SweepCellView from './SweepCellView';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The cells laid out by their axes (across, down; a third as a switch), all on one clock;
 * `actions` (cancel, delete) sit beside the grid's download. */
export default function SweepGrid({ sweep, fps, actions }: { sweep: Sweep; fps: number; actions?: ReactNode }) {
  const clock = useMemo(() => new SharedClock({ fps }), [fps]);
  const [block, setBlock] = useState(0);
  useEffect(() => () => clock.dispose(), [clock]);

  const across = sweep.axes.at(0);
  const down = sweep.axes.at(1);
  const blocks = sweep.axes.at(2);
  const cols = across ? across.values.length : 1;
  const rows = down ? down.values.length : 1;
  const anyDone = sweep.cells.some((c) => c.status === 'completed');
  const position = (col: number, row: number) => [col, row, block].slice(0, sweep.axes.length);

  return (
    <section className="flex flex-col gap-3" aria-label="Sweep grid" data-testid="sweep-grid">
      <div className="flex flex-wrap items-center gap-2">
        <p className="mr-auto text-sm text-zinc-300" role="status" data-testid="sweep-status">
          {sweep.cells.filter((c) => c.status === 'completed').length} of {sweep.cells.length} cells done
        </p>
        {sweep.content_url ? (
          <a
            className="inline-flex min-h-10 items-center gap-1 rounded border border-zinc-700 px-3 py-1.5 text-sm hover:bg-zinc-800"
            href={sweepContentUrl(sweep.id, true)}
            download
            data-testid="grid-download"
          >
            <Download className="h-4 w-4" aria-hidden="true" /> Download grid
          </a>
        ) : (
          <span className="text-xs text-zinc-300" data-testid="grid-download-pending">
            Download grid: ready when every cell is done
          </span>
        )}
        {actions}
      </div>
      {blocks ? (
        <div role="radiogroup" aria-label={PARAM_LABEL[blocks.param]} className="flex flex-wrap gap-1">
          {blocks.values.map((_, i) => (
            <button
              key={i}
              type="button"
              role="radio"
              aria-checked={block === i}
              onClick={() => setBlock(i)}
              className={`rounded px-3 py-1.5 text-sm ${block === i ? 'bg-brand text-white' : 'border border-zinc-700 text-zinc-200 hover:bg-zinc-800'}`}
            >
              {axisValueLabel(sweep, 2, i)}
            </button>
          ))}
        </div>
      ) : null}
      <ClockControls clock={clock} disabled={!anyDone} />
      <div className="overflow-x-auto">
        <table className="w-full min-w-[36rem] table-fixed border-separate border-spacing-1" data-testid="sweep-table">
          <caption className="sr-only">
            {across ? `${PARAM_LABEL[across.param]} across` : ''}
            {down ? `, ${PARAM_LABEL[down.param]} down` : ''}
          </caption>
          <thead>
            <tr>
              {down ? <td className="w-24" /> : null}
              {range(cols).map((c) => (
                <th key={c} scope="col" className="text-xs font-medium text-zinc-300">
                  {across ? axisValueLabel(sweep, 0, c) : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {range(rows).map((r) => (
              <tr key={r}>
                {down ? (
                  <th scope="row" className="text-left text-xs font-medium text-zinc-300">
                    {axisValueLabel(sweep, 1, r)}
                  </th>
                ) : null}
                {range(cols).map((c) => {
                  const cell = cellAt(sweep, position(c, r));
                  return (
                    <td key={c} className="align-top">
                      {cell ? (
                        <SweepCellView sweep={sweep} cell={cell} label={cellLabel(sweep, cell)} clock={clock} />
                      ) : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

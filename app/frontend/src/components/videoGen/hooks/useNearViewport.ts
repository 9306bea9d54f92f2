// A history's players below the fold wait until they come near the screen before asking for
// their poster, link and first bytes: on a phone, a dozen posters and players at once would
// share the connection with the one the person is looking at (docs/performance.md, Lighthouse).
import { type RefObject, useEffect, useState } from 'react';

/** True once the element has come within `margin` of the viewport, and from then on. */
export function useNearViewport(ref: RefObject<Element | null>, margin = '600px'): boolean {
  const [near, setNear] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (near || !el) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setNear(true);
      },
      { rootMargin: margin },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref, margin, near]);
  return near;
}

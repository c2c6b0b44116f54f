import { useEffect, useLayoutEffect, useRef } from 'react';

/**
 * Calls `handler` for every keydown on the window while the component is mounted, so a page's
 * keys work with nothing focused; always the latest handler, with one listener for the page's life.
 */
export function useWindowKeys(handler: (event: KeyboardEvent) => void): void {
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => latest.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}

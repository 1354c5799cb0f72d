/**
 * Follows the server's data version over /events (server-sent events). The browser reconnects by itself after a
 * network error (the server's `retry:` hint sets the delay); after an HTTP error (a proxy's 502 while the server is
 * away) EventSource gives up, so a new one is opened after a pause. `onStatus` hears 'live' or 'reconnecting';
 * `onVersion` gets every `version` event — the first after each (re)connect too, so a version missed while away is
 * caught up at once.
 */
import { apiUrl } from './http.js';

const REOPEN_MS = 5_000;

/** @param {{ onVersion: (v: {id: string, generation: number}) => void, onStatus: (s: 'live' | 'reconnecting') => void }} handlers */
export function followVersion({ onVersion, onStatus }) {
  const url = apiUrl('events');
  const open = () => {
    const source = new EventSource(url);
    source.addEventListener('version', (e) => onVersion(JSON.parse(e.data)));
    source.addEventListener('open', () => onStatus('live'));
    source.addEventListener('error', () => {
      onStatus('reconnecting');
      if (source.readyState === EventSource.CLOSED) setTimeout(open, REOPEN_MS);
    });
  };
  open();
}

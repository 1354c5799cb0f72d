/** Requests to the server the viewer came from, relative to /viewer/ (so it works behind a proxy's path prefix). */

export function apiUrl(path) {
  return new URL(`../${path}`, location.href);
}

/** JSON of a server resource, revalidated; null for a 404 (something this server does not have). */
export async function getJson(path) {
  const res = await fetch(apiUrl(path), { cache: 'no-cache', headers: { Accept: 'application/json' } });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${res.status} ${path}`);
  return res.json();
}

/** Accept-Encoding, parsed once per distinct header value (clients send few). */

const parsed = new Map<string, Map<string, number>>();

function weights(header: string): Map<string, number> {
  let w = parsed.get(header);
  if (w === undefined) {
    w = new Map();
    for (const part of header.split(',')) {
      const [name, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      if (name) w.set(name, q === undefined ? 1 : Number(q));
    }
    if (parsed.size < 256) parsed.set(header, w);
  }
  return w;
}

/** Whether the client takes this content coding (an explicit q=0 refuses it; `*` stands for the rest). */
export function accepts(header: string, coding: 'br' | 'gzip'): boolean {
  const w = weights(header);
  return (w.get(coding) ?? w.get('*') ?? 0) > 0;
}

/**
 * br if the client takes it, else gzip, else identity: our preference decides among encodings the client accepts
 * (browsers list "gzip, deflate, br" with equal weight, and brotli tiles are smaller).
 */
export function chooseEncoding(header: string): 'br' | 'gzip' | 'identity' {
  if (accepts(header, 'br')) return 'br';
  if (accepts(header, 'gzip')) return 'gzip';
  return 'identity';
}

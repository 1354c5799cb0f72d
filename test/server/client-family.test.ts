/**
 * Client families from User-Agent strings: the QGIS, curl and GDAL ones were recorded from the clients installed
 * here (QGIS 3.22, curl 7.88, GDAL 3.6 which sends none); the others are as the vendors' clients send them.
 */
import { describe, expect, it } from 'vitest';
import { clientFamily } from '../../server/client-family.ts';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36';

describe('client families', () => {
  it.each([
    ['Mozilla/5.0 QGIS/32216', 'qgis'],
    ['Mozilla/5.0 QGIS/33400/Windows 10 Version 2009', 'qgis'],
    ['ArcGIS Pro 3.1.2 (00000000000) - ArcGISPro', 'arcgis-pro'],
    ['ArcGISRuntime-NET/100.15.2 (Windows 10.0.19045; Win64; WOW64; devicetype:Desktop; no_fips)', 'arcgis-runtime'],
    ['ArcGISMapsSDK-Qt/200.3.0 (Linux 6.1; x86_64)', 'arcgis-runtime'],
    ['GDAL/3.9.2', 'gdal'],
    ['curl/7.88.1', 'curl'],
    [CHROME, 'browser'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0', 'browser'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/141.0.7390.37 Safari/537.36', 'browser'],
    ['python-requests/2.31.0', 'other'],
    [undefined, 'other'],
  ] as const)('%s → %s', (ua, family) => {
    expect(clientFamily(ua)).toBe(family);
  });

  it('tells ArcGIS Online (a browser on arcgis.com) by its Referer or Origin', () => {
    expect(clientFamily(CHROME, 'https://www.arcgis.com/apps/mapviewer/index.html')).toBe('arcgis-online');
    expect(clientFamily(CHROME, undefined, 'https://polisen.maps.arcgis.com')).toBe('arcgis-online');
    expect(clientFamily(CHROME, 'https://evilarcgis.com/')).toBe('browser');
    expect(clientFamily(CHROME, 'https://arcgis.com.example.se/')).toBe('browser');
  });
});

#!/usr/bin/python3
"""
QGIS (3.22, Debian's python3-qgis) headless as a client of an Esri VectorTileServer of regso-tiles, driven by
test/clients/qgis-arcgis.test.ts. Run with QT_QPA_PLATFORM=offscreen. Prints one JSON document on stdout.

What it does, as a user's QGIS would with an "ArcGIS Vector Tile Service" connection:
 1. opens a QgsVectorTileLayer on the URI that connection stores (3.22: type=xyz, serviceType=arcgis, url=the
    service; QGIS reads `?f=pjson`: 3.22 the tile template and `maxzoom` only, later releases the grid from
    `tileInfo` too) and reports validity, CRS, source path, zoom range and extent;
 2. calls loadDefaultStyle(), which fetches the service's defaultStyles and converts it, and reports the styles;
 3. renders a PNG of an extent in the layer's CRS with that style, recording per tile the features QGIS decoded
    (the Recorder of xyz_vector_tiles.py);
 4. renders the OGC API – Features `regso` collection (OAPIF provider) over the same extent and CRS with the same
    colours per områdestyp (categorised, same opacity, no outlines) and compares the two images pixel by pixel:
    coloured in each, coloured in both, and of the same områdestyp colour in both.

Usage: arcgis_vector_tiles.py --service URL --oapif-base URL --extent xmin,ymin,xmax,ymax --colors '#…,#…,…'
         --opacity 0.85 --png-tiles out.png --png-features out.png [--size 800] [--profile DIR]
"""
import argparse
import json
import os
import sys

from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsDataSourceUri,
    QgsFillSymbol,
    QgsRectangle,
    QgsRendererCategory,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis_app import start_qgis  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oapif_features import layer_uri  # noqa: E402
from xyz_vector_tiles import Recorder, pixels, render, style_info  # noqa: E402

WHITE = 0xFFFFFF
TOLERANCE = 3


def service_uri(url):
    """As QGIS 3.22's QgsVectorTileProviderConnection::encodedUri builds it for an ArcGIS Vector Tile Service."""
    uri = QgsDataSourceUri()
    uri.setParam('type', 'xyz')
    uri.setParam('serviceType', 'arcgis')
    uri.setParam('url', url)
    return bytes(uri.encodedUri()).decode('utf-8')


def rgb(hex_colour):
    n = int(hex_colour[1:], 16)
    return ((n >> 16) & 255, (n >> 8) & 255, n & 255)


def blended(colour, opacity):
    return tuple(round(opacity * c + (1 - opacity) * 255) for c in colour)


def classify(value, types):
    """The områdestyp whose blended colour the pixel has (0 if none): QGIS draws fills at the style's opacity over white."""
    r, g, b = (value >> 16) & 255, (value >> 8) & 255, value & 255
    for typ, (tr, tg, tb) in types.items():
        if abs(r - tr) <= TOLERANCE and abs(g - tg) <= TOLERANCE and abs(b - tb) <= TOLERANCE:
            return typ
    return 0


def compare(tiles_image, features_image, types):
    a = pixels(tiles_image)
    b = pixels(features_image)
    out = {'pixels': len(a), 'tiles': 0, 'features': 0, 'both': 0, 'typedBoth': 0, 'sameType': 0}
    cache = {}
    for pa, pb in zip(a, b):
        ca = (pa & WHITE) != WHITE
        cb = (pb & WHITE) != WHITE
        out['tiles'] += ca
        out['features'] += cb
        if ca and cb:
            out['both'] += 1
            ta = cache.get(pa)
            if ta is None:
                ta = cache[pa] = classify(pa, types)
            tb = cache.get(pb)
            if tb is None:
                tb = cache[pb] = classify(pb, types)
            if ta and tb:
                out['typedBoth'] += 1
                out['sameType'] += ta == tb
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--service', required=True)
    ap.add_argument('--oapif-base', required=True)
    ap.add_argument('--extent', required=True)
    ap.add_argument('--colors', required=True)
    ap.add_argument('--opacity', type=float, required=True)
    ap.add_argument('--png-tiles', required=True)
    ap.add_argument('--png-features', required=True)
    ap.add_argument('--size', type=int, default=800)
    ap.add_argument('--profile', default='')
    args = ap.parse_args()

    app = start_qgis(args.profile)
    result = {'qgis': Qgis.QGIS_VERSION}

    uri = service_uri(args.service)
    result['uri'] = uri
    layer = QgsVectorTileLayer(uri, 'omradestyper')
    extent = layer.extent()
    result['layer'] = {
        'valid': layer.isValid(),
        'sourceType': layer.sourceType(),
        'sourcePath': layer.sourcePath(),
        'sourceMinZoom': layer.sourceMinZoom(),
        'sourceMaxZoom': layer.sourceMaxZoom(),
        'crs': layer.crs().authid(),
        'extent': [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()],
    }
    if not layer.isValid():
        print(json.dumps(result))
        sys.stdout.flush()
        os._exit(0)
    message, ok = layer.loadDefaultStyle()
    renderer = layer.renderer()
    result['style'] = {'ok': ok, 'message': message, 'renderer': renderer.type() if renderer else None, 'styles': style_info(renderer) if renderer else []}

    crs = layer.crs().authid()
    xmin, ymin, xmax, ymax = (float(v) for v in args.extent.split(','))
    map_extent = QgsRectangle(xmin, ymin, xmax, ymax)

    log = {}
    layer.setRenderer(Recorder(renderer.styles(), log, set()))
    tiles_image, errors = render(layer, map_extent, args.size, crs=crs)
    tiles_image.save(args.png_tiles, 'PNG')
    result['tiles'] = {
        'errors': errors,
        'read': {key: {name: entry['count'] for name, entry in layers.items()} for key, layers in log.items()},
    }

    colours = [c for c in args.colors.split(',') if c]
    features = QgsVectorLayer(layer_uri(args.oapif_base, 'regso', restrict_to_request_bbox=True), 'regso', 'OAPIF')
    categories = []
    for typ, colour in enumerate(colours, start=1):
        symbol = QgsFillSymbol.createSimple({'color': colour, 'outline_style': 'no'})
        symbol.setOpacity(args.opacity)
        categories.append(QgsRendererCategory(typ, symbol, str(typ)))
    features.setRenderer(QgsCategorizedSymbolRenderer('omradestyp', categories))
    features_image, feature_errors = render(features, map_extent, args.size, crs=crs)
    features_image.save(args.png_features, 'PNG')
    result['features'] = {'valid': features.isValid(), 'crs': features.crs().authid(), 'errors': feature_errors}

    types = {typ: blended(rgb(colour), args.opacity) for typ, colour in enumerate(colours, start=1)}
    result['compare'] = compare(tiles_image, features_image, types)

    sys.stdout.write(json.dumps(result, ensure_ascii=False) + '\n')
    sys.stdout.flush()
    # Skip PyQGIS's teardown (it may crash after the work is done); the test reads the JSON above.
    os._exit(0)


if __name__ == '__main__':
    main()

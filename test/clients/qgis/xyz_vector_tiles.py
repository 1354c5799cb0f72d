#!/usr/bin/python3
"""
QGIS (3.22, Debian's python3-qgis) headless as an XYZ vector tile client of regso-tiles, driven by
test/clients/qgis.test.ts. Run with QT_QPA_PLATFORM=offscreen. Prints one JSON document on stdout.

What it does, as a user's QGIS would:
 1. builds the layer URI the way QGIS's own QgsVectorTileProviderConnection::encodedUri does (a QgsDataSourceUri with
    the params type, url, zmin, zmax, styleUrl; QGIS percent-encodes them), opens a QgsVectorTileLayer and reports
    whether it is valid;
 2. calls layer.loadDefaultStyle(), which fetches styleUrl and converts the MapLibre style (QgsMapBoxGlStyleConverter),
    and reports the converted renderer's styles (layer, filter, colour, opacity, enabled);
 3. reads features of given tiles with QGIS's own MVT decoder. In 3.22 QgsVectorTileLayer has no feature iterator and
    QgsVectorTileLoader / QgsVectorTileMVTDecoder are not in the Python API, so a QgsVectorTileBasicRenderer
    subclass records, per tile, the features QGIS decoded while rendering a 512 × 512 px map of (just inside) that tile
    (QGIS picks the zoom from the scale: 512 px a tile gives that zoom). QGIS decodes only the layers and attributes
    its styles use: an extra style per layer whose filter names the wanted fields (and matches nothing) makes it
    decode them. Polygons are also checked with GEOS (isGeosValid), as QGIS's processing tools would;
 4. renders a PNG of an extent in EPSG:3857 with the style as loaded (QgsMapRendererSequentialJob) and counts its
    pixel colours (QImage), so the test can check the class colours.

Usage: xyz_vector_tiles.py --base http://127.0.0.1:PORT --tileset omradestyper-2023 --style omradestyper-2023
         --read 12/2184/1238 [--read …] --fields regsokod,regsonamn,… --codes 1480R050,… --png out.png
         --extent xmin,ymin,xmax,ymax [--size 800] [--layers regso,regso_label,…] [--profile DIR]
"""
import argparse
import json
import math
import sys
from collections import Counter

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsDataSourceUri,
    QgsFillSymbol,
    QgsGeometry,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
    QgsVectorTileBasicRenderer,
    QgsVectorTileBasicRendererStyle,
    QgsVectorTileLayer,
    QgsWkbTypes,
)
from qgis_app import start_qgis
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage

HALF_WORLD = 20037508.342789244


def encoded_uri(base, tileset, style, zmin=0, zmax=14):
    """As QgsVectorTileProviderConnection::encodedUri (not in 3.22's Python API) builds it."""
    uri = QgsDataSourceUri()
    uri.setParam('type', 'xyz')
    uri.setParam('url', f'{base}/tiles/{tileset}/{{z}}/{{x}}/{{y}}.mvt')
    uri.setParam('zmin', str(zmin))
    uri.setParam('zmax', str(zmax))
    uri.setParam('styleUrl', f'{base}/styles/{style}.json')
    return bytes(uri.encodedUri()).decode('utf-8')


def tile_extent(z, x, y):
    size = 2 * HALF_WORLD / 2 ** z
    xmin = -HALF_WORLD + x * size
    ymax = HALF_WORLD - y * size
    return QgsRectangle(xmin, ymax - size, xmin + size, ymax)


def style_info(renderer):
    out = []
    for s in renderer.styles():
        sym = s.symbol()
        out.append({
            'name': s.styleName(),
            'layer': s.layerName(),
            'filter': s.filterExpression(),
            'geometryType': QgsWkbTypes.geometryDisplayString(s.geometryType()),
            'color': sym.color().name() if sym else None,
            'opacity': round(sym.opacity(), 4) if sym else None,
            'enabled': s.isEnabled(),
            'minZoom': s.minZoomLevel(),
            'maxZoom': s.maxZoomLevel(),
        })
    return out


class Recorder(QgsVectorTileBasicRenderer):
    """The basic renderer, recording what QGIS's decoder hands it per tile (features in map coordinates)."""

    def __init__(self, styles, log, codes):
        super().__init__()
        self.setStyles(styles)
        self.log = log
        self.codes = codes

    def clone(self):
        return Recorder(self.styles(), self.log, self.codes)

    def renderTile(self, tile, context):
        t = tile.id()
        entry = {}
        for name in tile.layers():
            features = tile.layerFeatures(name)
            types = Counter(QgsWkbTypes.displayString(f.geometry().wkbType()) for f in features)
            layer = {'count': len(features), 'geometryTypes': dict(types), 'features': [], 'invalid': []}
            for f in features:
                names = f.fields().names()
                geometry = f.geometry()
                valid = geometry.isGeosValid() if geometry.type() == QgsWkbTypes.PolygonGeometry else True
                if not valid:
                    errors = geometry.validateGeometry(QgsGeometry.ValidatorGeos)
                    layer['invalid'].append({
                        'regsokod': f['regsokod'] if 'regsokod' in names else None,
                        'reason': '; '.join(f'{e.what()} at {e.where().x():.0f} {e.where().y():.0f} (EPSG:3857)' for e in errors),
                    })
                if 'regsokod' in names and f['regsokod'] in self.codes:
                    layer['features'].append({'attributes': {n: f[n] for n in names}, 'area': geometry.area(), 'valid': valid})
            entry[name] = layer
        self.log['%d/%d/%d' % (t.zoomLevel(), t.column(), t.row())] = entry
        super().renderTile(tile, context)


def render(layer, extent, size, background=QColor(255, 255, 255), crs='EPSG:3857'):
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem(crs))
    settings.setOutputSize(QSize(size, size))
    settings.setBackgroundColor(background)
    settings.setExtent(extent)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage(), [f'{e.layerID}: {e.message}' for e in job.errors()]


def pixels(image):
    """The pixels of an image as 0xAARRGGBB integers, row by row (RGB32 rows have no padding)."""
    img = image.convertToFormat(QImage.Format_RGB32)
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    return memoryview(bytes(ptr)).cast('I')


def colour_counts(image, min_count=10):
    counts = Counter(pixels(image))
    return {'#%06x' % (value & 0xFFFFFF): n for value, n in counts.most_common() if n >= min_count}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--base', required=True)
    ap.add_argument('--tileset', required=True)
    ap.add_argument('--style', required=True)
    ap.add_argument('--read', action='append', default=[])
    ap.add_argument('--fields', default='regsokod')
    ap.add_argument('--codes', default='')
    ap.add_argument('--layers', default='regso,regso_label,kommun,utsatta_omraden')
    ap.add_argument('--png', required=True)
    ap.add_argument('--extent', required=True)
    ap.add_argument('--size', type=int, default=800)
    ap.add_argument('--profile', default='')
    args = ap.parse_args()

    app = start_qgis(args.profile)
    result = {'qgis': Qgis.QGIS_VERSION}

    uri = encoded_uri(args.base, args.tileset, args.style)
    result['uri'] = uri
    layer = QgsVectorTileLayer(uri, args.tileset)
    result['layer'] = {
        'valid': layer.isValid(),
        'sourceType': layer.sourceType(),
        'sourcePath': layer.sourcePath(),
        'sourceMinZoom': layer.sourceMinZoom(),
        'sourceMaxZoom': layer.sourceMaxZoom(),
        'crs': layer.crs().authid(),
    }
    message, ok = layer.loadDefaultStyle()
    renderer = layer.renderer()
    result['style'] = {'ok': ok, 'message': message, 'renderer': renderer.type() if renderer else None, 'styles': style_info(renderer) if renderer else []}

    # Reading: a second layer whose renderer records the decoded features.
    log = {}
    reader = QgsVectorTileLayer(uri, args.tileset + '-reader')
    styles = list(renderer.styles()) if renderer else []
    fields = [f for f in args.fields.split(',') if f]
    probes = []
    for name in args.layers.split(','):
        # A style per layer makes QGIS decode that layer; its filter names the wanted fields and matches nothing.
        probe = QgsVectorTileBasicRendererStyle(f'probe-{name}', name, QgsWkbTypes.PolygonGeometry)
        wanted = fields if name == 'regso' else []
        probe.setFilterExpression(' AND '.join(['"__probe__" = 1'] + [f'"{f}" IS NOT NULL' for f in wanted]))
        probe.setSymbol(QgsFillSymbol.createSimple({'color': '255,0,255,255'}))
        probes.append(probe)
    reader.setRenderer(Recorder(styles + probes, log, set(c for c in args.codes.split(',') if c)))
    tiles = {}
    for address in args.read:
        z, x, y = (int(v) for v in address.split('/'))
        full = tile_extent(z, x, y)
        inset = full.width() * 0.05
        inner = QgsRectangle(full.xMinimum() + inset, full.yMinimum() + inset, full.xMaximum() - inset, full.yMaximum() - inset)
        log.clear()
        _, errors = render(reader, inner, 512)
        rendered = sorted(log.keys())
        tiles[address] = {'rendered': rendered, 'errors': errors, 'layers': log.get(address)}
    result['tiles'] = tiles

    # Rendering with the style as loaded.
    xmin, ymin, xmax, ymax = (float(v) for v in args.extent.split(','))
    image, errors = render(layer, QgsRectangle(xmin, ymin, xmax, ymax), args.size)
    image.save(args.png, 'PNG')
    result['render'] = {'png': args.png, 'width': image.width(), 'height': image.height(), 'errors': errors, 'colours': colour_counts(image)}

    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write('\n')
    sys.stdout.flush()
    app.exitQgis()


if __name__ == '__main__':
    main()

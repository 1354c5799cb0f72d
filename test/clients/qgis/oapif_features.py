#!/usr/bin/python3
"""
QGIS (3.22, Debian's python3-qgis) headless as an OGC API – Features client of regso-tiles, driven by
test/clients/qgis-oapif.test.ts. Run with QT_QPA_PLATFORM=offscreen. Prints one JSON document on stdout (its last
line), then leaves with os._exit(0): PyQGIS may crash while tearing down, after the work is done.

What it does, as a user's QGIS would, through the OAPIF provider (QgsVectorLayer(uri, name, 'OAPIF')):
 1. open:    opens the collection from the URI `url='…' typename='…'` (what the "Add WFS / OGC API – Features layer"
             dialog stores) and reports validity, CRS, featureCount() (before any feature is read), geometry type,
             fields and extent;
 2. all:     iterates every feature (getFeatures()) and reports the attributes of each, and for the sample codes the
             vertices as QGIS holds them (layer CRS) and as QGIS's own transform (QgsCoordinateTransform, PROJ) puts
             them in EPSG:3006;
 3. subset:  setSubsetString(FILTER) (the layer filter of the query builder), featureCount() and the codes read;
 4. request: a QgsFeatureRequest with the filter expression REQUEST_FILTER on the unfiltered layer, the codes read;
 5. uri:     a second layer with FILTER in the URI's `filter` parameter, featureCount() before and after reading, and
             the codes read;
 6. bbox:    a fresh layer with `restrictToRequestBBOX='1'` (the dialog's "Only request features overlapping the view
             extent") read through a QgsFeatureRequest with a filter rectangle (what drawing a map extent does), the
             codes read.
Each phase reports its start and end (epoch milliseconds) so the test can tell which HTTP requests it made.

Usage: oapif_features.py --base http://127.0.0.1:PORT --typename regso --sample 0114R001,… --filter EXPR
         --request-filter EXPR --bbox west,south,east,north [--profile DIR]
"""
import argparse
import json
import os
import sys
import time

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataSourceUri,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis_app import start_qgis


def now_ms():
    return int(time.time() * 1000)


def layer_uri(base, typename, filter_expression=None, restrict_to_request_bbox=False):
    uri = QgsDataSourceUri()
    uri.setParam('url', base)
    uri.setParam('typename', typename)
    if filter_expression:
        uri.setParam('filter', filter_expression)
    if restrict_to_request_bbox:
        # The dialog's "Only request features overlapping the view extent": without it QGIS downloads the whole
        # collection once and filters the cached features itself.
        uri.setParam('restrictToRequestBBOX', '1')
    return uri.uri(False)


def plain(value):
    """A QVariant-converted attribute as JSON: NULL (a QVariant null arrives as None or a null QVariant) → None."""
    if value is None:
        return None
    if hasattr(value, 'isNull') and value.isNull():
        return None
    if isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


def rings(geometry):
    """The polygons of a (multi)polygon geometry as [[[x, y], …] ring, …] polygon lists."""
    if geometry.isMultipart():
        polygons = geometry.asMultiPolygon()
    else:
        polygons = [geometry.asPolygon()]
    return [[[[p.x(), p.y()] for p in ring] for ring in polygon] for polygon in polygons]


def codes_of(features):
    return [f['regsokod'] for f in features]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--base', required=True)
    ap.add_argument('--typename', required=True)
    ap.add_argument('--sample', default='')
    ap.add_argument('--filter', required=True)
    ap.add_argument('--request-filter', required=True)
    ap.add_argument('--bbox', required=True)
    ap.add_argument('--profile', default='')
    args = ap.parse_args()

    app = start_qgis(args.profile)
    messages = []
    QgsApplication.messageLog().messageReceived.connect(lambda message, tag, level: messages.append(f'{tag}: {message}'))

    result = {'qgis': Qgis.QGIS_VERSION, 'phases': {}}
    phases = result['phases']

    def phase(name, work):
        started = now_ms()
        out = work()
        out['start'] = started
        out['end'] = now_ms()
        phases[name] = out

    uri = layer_uri(args.base, args.typename)
    result['uri'] = uri
    layer = None

    def open_layer():
        nonlocal layer
        layer = QgsVectorLayer(uri, args.typename, 'OAPIF')
        extent = layer.extent()
        return {
            'valid': layer.isValid(),
            'provider': layer.providerType(),
            'crs': layer.crs().authid(),
            'crsIsGeographic': layer.crs().isGeographic(),
            'featureCount': layer.featureCount(),
            'wkbType': QgsWkbTypes.displayString(layer.wkbType()),
            'fields': [[f.name(), f.typeName()] for f in layer.fields()],
            'extent': [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()],
        }

    phase('open', open_layer)
    if not layer.isValid():
        result['messages'] = messages
        print(json.dumps(result, ensure_ascii=False))
        sys.stdout.flush()
        os._exit(0)

    sample = set(c for c in args.sample.split(',') if c)
    to_3006 = QgsCoordinateTransform(layer.crs(), QgsCoordinateReferenceSystem('EPSG:3006'), QgsProject.instance())

    def read_all():
        names = layer.fields().names()
        features = []
        geometries = {}
        null_geometries = 0
        for f in layer.getFeatures():
            features.append([plain(v) for v in f.attributes()])
            geometry = f.geometry()
            if geometry.isNull():
                null_geometries += 1
                continue
            code = f['regsokod']
            if code in sample:
                projected = QgsGeometry(geometry)
                projected.transform(to_3006)
                geometries[code] = {'layer': rings(geometry), 'epsg3006': rings(projected)}
        return {'fields': names, 'features': features, 'nullGeometries': null_geometries, 'geometries': geometries, 'featureCountAfter': layer.featureCount()}

    phase('all', read_all)

    def subset():
        ok = layer.setSubsetString(args.filter)
        out = {'ok': ok, 'subsetString': layer.subsetString(), 'featureCount': layer.featureCount(), 'codes': codes_of(layer.getFeatures())}
        layer.setSubsetString('')
        return out

    phase('subset', subset)

    def request():
        req = QgsFeatureRequest().setFilterExpression(args.request_filter)
        return {'codes': codes_of(layer.getFeatures(req))}

    phase('request', request)

    def uri_filter():
        filtered = QgsVectorLayer(layer_uri(args.base, args.typename, args.filter), args.typename + '-filtered', 'OAPIF')
        before = filtered.featureCount()
        codes = codes_of(filtered.getFeatures())
        return {'valid': filtered.isValid(), 'uri': filtered.source(), 'subsetString': filtered.subsetString(), 'featureCountBefore': before, 'featureCountAfter': filtered.featureCount(), 'codes': codes}

    phase('uri', uri_filter)

    def bbox():
        fresh = QgsVectorLayer(layer_uri(args.base, args.typename, restrict_to_request_bbox=True), args.typename + '-extent', 'OAPIF')
        west, south, east, north = (float(v) for v in args.bbox.split(','))
        req = QgsFeatureRequest().setFilterRect(QgsRectangle(west, south, east, north))
        return {'valid': fresh.isValid(), 'uri': fresh.source(), 'codes': codes_of(fresh.getFeatures(req))}

    phase('bbox', bbox)

    result['messages'] = messages
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + '\n')
    sys.stdout.flush()
    # Skip PyQGIS's teardown (it may crash after the work is done); the test reads the JSON above.
    os._exit(0)


if __name__ == '__main__':
    main()

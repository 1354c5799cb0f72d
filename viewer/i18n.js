/** The viewer's texts in Swedish (the default) and English. Data labels come from the server in both languages. */

const TEXTS = {
  sv: {
    title: 'Områdestyper och brott',
    theme: 'Karta',
    controls: 'Kartval',
    map: 'Karta',
    zoomIn: 'Zooma in',
    zoomOut: 'Zooma ut',
    themeTypes: 'Områdestyper',
    year: 'År',
    kommun: 'Kommun',
    allSweden: 'Hela Sverige',
    search: 'Sök område (namn eller kod)',
    searchNone: 'Inga träffar',
    utsatta: 'Polisens utsatta områden',
    legend: 'Teckenförklaring',
    perThousand: 'per 1 000 invånare',
    synthetic: 'Syntetiska data',
    syntheticTitle: 'Delar av uppgifterna är syntetiska (modellerade) och inte verkliga',
    version: 'Dataversion',
    reconnecting: 'Återansluter …',
    language: 'English',
    languageLabel: 'Switch to English',
    stats: 'Statistik per områdestyp',
    statsMissing: 'Statistiken är inte tillgänglig på den här servern.',
    statsFailed: 'Statistiken kunde inte hämtas.',
    statsHint: 'Välj en typ för att markera dess områden på kartan.',
    trend: 'Utveckling över åren',
    suppressed: 'skyddad',
    interval: '95 % intervall',
    areas: 'områden',
    code: 'Kod',
    type: 'Områdestyp',
    population: 'Befolkning',
    nAreas: 'Antal områden',
    noValue: 'uppgift saknas eller skyddad',
    close: 'Stäng',
  },
  en: {
    title: 'Area types and crime',
    theme: 'Map',
    controls: 'Map options',
    map: 'Map',
    zoomIn: 'Zoom in',
    zoomOut: 'Zoom out',
    themeTypes: 'Area types',
    year: 'Year',
    kommun: 'Municipality',
    allSweden: 'All of Sweden',
    search: 'Search area (name or code)',
    searchNone: 'No matches',
    utsatta: 'Police: vulnerable areas',
    legend: 'Legend',
    perThousand: 'per 1,000 inhabitants',
    synthetic: 'Synthetic data',
    syntheticTitle: 'Parts of the data are synthetic (modelled), not real',
    version: 'Data version',
    reconnecting: 'Reconnecting …',
    language: 'Svenska',
    languageLabel: 'Byt till svenska',
    stats: 'Statistics by area type',
    statsMissing: 'Statistics are not available on this server.',
    statsFailed: 'The statistics could not be loaded.',
    statsHint: 'Choose a type to highlight its areas on the map.',
    trend: 'Trend over the years',
    suppressed: 'suppressed',
    interval: '95 % interval',
    areas: 'areas',
    code: 'Code',
    type: 'Area type',
    population: 'Population',
    nAreas: 'Number of areas',
    noValue: 'no value or suppressed',
    close: 'Close',
  },
};

export const LANGUAGES = ['sv', 'en'];

let language = 'sv';

export function setLanguage(lang) {
  language = LANGUAGES.includes(lang) ? lang : 'sv';
  document.documentElement.lang = language;
}

export function lang() {
  return language;
}

/** A text of the viewer. */
export function t(key) {
  return TEXTS[language][key];
}

/** A {sv, en} label from the server, in the current language. */
export function pick(label) {
  if (label === null || label === undefined) return '';
  return typeof label === 'string' ? label : (label[language] ?? label.sv);
}

/** Numbers in the language's format (Swedish: 1 234,5). */
export function formatNumber(n, digits = 1) {
  if (n === null || n === undefined) return '–';
  return new Intl.NumberFormat(language === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: digits }).format(n);
}

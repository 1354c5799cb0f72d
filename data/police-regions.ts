/**
 * Sweden's 21 län and the police region each belongs to. Polismyndigheten has been organised in seven regions
 * since 1 January 2015, each a union of whole län (source: Brå, "Nu delas anmälda brott in i regioner", 2015-02-12,
 * bra.se/om-bra/nytt-fran-bra/arkiv/nyheter/2015-02-12-nu-delas-anmalda-brott-in-i-regioner.html; Polisen's
 * regions on polisen.se). A kommun's region is its län's: RegSO follow kommun borders, kommuner follow län borders.
 */

export interface PoliceRegion {
  /** ASCII id for URLs: nord, mitt, stockholm, ost, vast, syd, bergslagen. */
  id: string;
  name: string;
  /** Län codes (SCB's two digits). */
  lan: string[];
}

export const POLICE_REGIONS: readonly PoliceRegion[] = [
  { id: 'nord', name: 'Nord', lan: ['22', '23', '24', '25'] },
  { id: 'mitt', name: 'Mitt', lan: ['03', '19', '21'] },
  { id: 'stockholm', name: 'Stockholm', lan: ['01', '09'] },
  { id: 'ost', name: 'Öst', lan: ['04', '05', '06'] },
  { id: 'vast', name: 'Väst', lan: ['13', '14'] },
  { id: 'syd', name: 'Syd', lan: ['07', '08', '10', '12'] },
  { id: 'bergslagen', name: 'Bergslagen', lan: ['17', '18', '20'] },
];

/** SCB's län names by code. */
export const LAN_NAMES: Readonly<Record<string, string>> = {
  '01': 'Stockholms län',
  '03': 'Uppsala län',
  '04': 'Södermanlands län',
  '05': 'Östergötlands län',
  '06': 'Jönköpings län',
  '07': 'Kronobergs län',
  '08': 'Kalmar län',
  '09': 'Gotlands län',
  '10': 'Blekinge län',
  '12': 'Skåne län',
  '13': 'Hallands län',
  '14': 'Västra Götalands län',
  '17': 'Värmlands län',
  '18': 'Örebro län',
  '19': 'Västmanlands län',
  '20': 'Dalarnas län',
  '21': 'Gävleborgs län',
  '22': 'Västernorrlands län',
  '23': 'Jämtlands län',
  '24': 'Västerbottens län',
  '25': 'Norrbottens län',
};

const regionOfLan = new Map(POLICE_REGIONS.flatMap((r) => r.lan.map((lan) => [lan, r] as const)));

/** The police region of a län code, or undefined for a code that is no län. */
export function policeRegionOf(lanskod: string): PoliceRegion | undefined {
  return regionOfLan.get(lanskod);
}

/**
 * Words the fake data generator composes descriptions and titles from: Turkish names, companies,
 * merchants, places and months, written in Turkish capitals (İ, Ş, Ğ, Ç, Ö, Ü) as banks print them.
 *
 * @internal
 * @module
 */

/** @internal */
export const FIRST_NAMES: ReadonlyArray<string> = [
  'AHMET',
  'MEHMET',
  'MUSTAFA',
  'AYŞE',
  'FATMA',
  'EMİNE',
  'HATİCE',
  'ZEYNEP',
  'ELİF',
  'İBRAHİM',
  'HÜSEYİN',
  'ÖZLEM',
  'ÇAĞLA',
  'GÜLŞEN',
  'ŞÜKRÜ',
  'OĞUZ',
  'BÜŞRA',
  'İREM',
  'TUĞBA',
  'ÜMİT',
  'ERDOĞAN',
  'SEVGİ',
  'DİLEK',
  'BARIŞ',
  'IŞIL',
  'ÇİĞDEM',
  'GÖKHAN',
  'ŞEYMA',
  'YAĞMUR',
  'NURŞEN',
]

/** @internal */
export const SURNAMES: ReadonlyArray<string> = [
  'YILMAZ',
  'KAYA',
  'DEMİR',
  'ŞAHİN',
  'ÇELİK',
  'YILDIZ',
  'YILDIRIM',
  'ÖZTÜRK',
  'AYDIN',
  'ÖZDEMİR',
  'ARSLAN',
  'DOĞAN',
  'KILIÇ',
  'ASLAN',
  'ÇETİN',
  'KOÇ',
  'KURT',
  'ÖZKAN',
  'ŞİMŞEK',
  'POLAT',
  'KORKMAZ',
  'ERDOĞAN',
  'GÜNEŞ',
  'AKTAŞ',
  'ÇAKIR',
  'ŞEN',
  'TÜRK',
  'GÜLER',
  'KARAGÖZ',
  'ÜNAL',
]

/** Companies that receive EFTs and invoice payments. @internal */
export const COMPANIES: ReadonlyArray<string> = [
  'ÖZGÜR LOJİSTİK A.Ş.',
  'ÇAĞDAŞ YAZILIM LTD. ŞTİ.',
  'GÜNEŞ GIDA SAN. VE TİC. A.Ş.',
  'İSTANBUL BİLİŞİM LTD. ŞTİ.',
  'DOĞUŞ İNŞAAT A.Ş.',
  'KUZEY DENİZCİLİK LTD. ŞTİ.',
  'ŞİRİNEVLER TEKSTİL A.Ş.',
  'ÜNLÜ MOBİLYA LTD. ŞTİ.',
  'EGE ZEYTİNYAĞI KOOP.',
  'ANADOLU KIRTASİYE A.Ş.',
]

/** Card merchants. @internal */
export const MERCHANTS: ReadonlyArray<string> = [
  'MİGROS TİCARET A.Ş.',
  'BİM BİRLEŞİK MAĞAZALAR',
  'ŞOK MARKETLER',
  'A101 YENİ MAĞAZACILIK',
  'TRENDYOL',
  'HEPSİBURADA',
  'GETİR',
  'YEMEKSEPETİ',
  'SHELL PETROL',
  'OPET',
  'KOÇTAŞ',
  'BOYNER',
]

/** Utilities paid by invoice. @internal */
export const UTILITIES: ReadonlyArray<string> = [
  'İSKİ SU',
  'İGDAŞ DOĞALGAZ',
  'ENERJİSA ELEKTRİK',
  'TÜRK TELEKOM',
  'TURKCELL',
  'VODAFONE',
  'ASKİ SU',
  'BAŞKENTGAZ',
]

/** Districts, for account titles and ATM locations (as written in titles). @internal */
export const DISTRICTS: ReadonlyArray<string> = [
  'Kadıköy',
  'Beşiktaş',
  'Şişli',
  'Üsküdar',
  'Ataşehir',
  'Beyoğlu',
  'Çankaya',
  'Keçiören',
  'Karşıyaka',
  'Bornova',
  'Nilüfer',
  'Muratpaşa',
  'Selçuklu',
  'Şahinbey',
  'Çorlu',
  'Gölcük',
]

/** Districts in capitals, for descriptions. @internal */
export const DISTRICTS_UPPER: ReadonlyArray<string> = [
  'KADIKÖY',
  'BEŞİKTAŞ',
  'ŞİŞLİ',
  'ÜSKÜDAR',
  'ATAŞEHİR',
  'BEYOĞLU',
  'ÇANKAYA',
  'KEÇİÖREN',
  'KARŞIYAKA',
  'BORNOVA',
  'NİLÜFER',
  'MURATPAŞA',
  'SELÇUKLU',
  'ŞAHİNBEY',
  'ÇORLU',
  'GÖLCÜK',
]

/** Cities, for card payments. @internal */
export const CITIES: ReadonlyArray<string> = ['İSTANBUL', 'ANKARA', 'İZMİR', 'BURSA', 'ANTALYA', 'KONYA', 'GAZİANTEP', 'ESKİŞEHİR']

/** @internal */
export const MONTHS: ReadonlyArray<string> = [
  'OCAK',
  'ŞUBAT',
  'MART',
  'NİSAN',
  'MAYIS',
  'HAZİRAN',
  'TEMMUZ',
  'AĞUSTOS',
  'EYLÜL',
  'EKİM',
  'KASIM',
  'ARALIK',
]

/** How currencies are named in account titles. @internal */
export const CURRENCY_TITLES: Readonly<Record<string, string>> = { TRY: 'TL', USD: 'USD', EUR: 'EUR', GBP: 'GBP' }

/** ISO 4217 codes the shop knows; a rate table naming anything else is a configuration error. */
export const KNOWN_CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'CAD',
  'AUD',
  'CHF',
  'CNY',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
  'INR',
  'BRL',
  'MXN',
  'ZAR',
  'KRW',
  'SGD',
  'HKD',
  'NZD',
  'TRY',
  'ILS',
] as const;

export function isKnownCurrency(code: string): boolean {
  return (KNOWN_CURRENCIES as readonly string[]).includes(code);
}

/** Units of each currency per 1 USD (the currency service's defaults). */
export const DEFAULT_RATES: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 0.92,
  GBP: 0.79,
  JPY: 151.3,
  CAD: 1.36,
  AUD: 1.52,
  CHF: 0.88,
};

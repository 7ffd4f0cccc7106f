export interface Product {
  id: string;
  name: string;
  description: string;
  priceUsd: number;
  categories: string[];
}

/** The catalog's backing data; loadgen draws product ids from the same list so its plan needs no lookups. */
export const PRODUCTS: readonly Product[] = [
  {
    id: 'OLJCESPC7Z',
    name: 'Sunglasses',
    description: 'Add a modern touch to your outfits.',
    priceUsd: 19.99,
    categories: ['accessories'],
  },
  {
    id: '66VCHSJNUP',
    name: 'Tank Top',
    description: 'Perfectly cropped cotton tank.',
    priceUsd: 18.99,
    categories: ['clothing', 'tops'],
  },
  {
    id: '1YMWWN1N4O',
    name: 'Watch',
    description: 'This gold-tone stainless steel watch will work with most of your outfits.',
    priceUsd: 109.99,
    categories: ['accessories'],
  },
  {
    id: 'L9ECAV7KIM',
    name: 'Loafers',
    description: 'A neat addition to your summer wardrobe.',
    priceUsd: 89.99,
    categories: ['footwear'],
  },
  {
    id: '2ZYFJ3GM2N',
    name: 'Hairdryer',
    description: 'This lightweight hairdryer has 3 heat and speed settings.',
    priceUsd: 24.99,
    categories: ['hair', 'beauty'],
  },
  {
    id: '0PUK6V6EV0',
    name: 'Candle Holder',
    description: 'This small but intricate candle holder is an excellent gift.',
    priceUsd: 18.99,
    categories: ['decor', 'home'],
  },
  {
    id: 'LS4PSXUNUM',
    name: 'Salt & Pepper Shakers',
    description: 'Add some flavor to your kitchen.',
    priceUsd: 18.49,
    categories: ['kitchen'],
  },
  {
    id: '9SIQT8TOJO',
    name: 'Bamboo Glass Jar',
    description: 'This bamboo glass jar can hold 57 oz (1.7 l).',
    priceUsd: 5.49,
    categories: ['kitchen'],
  },
  {
    id: '6E92ZMYYFZ',
    name: 'Mug',
    description: 'A simple mug with a mustard interior.',
    priceUsd: 8.99,
    categories: ['kitchen'],
  },
  {
    id: 'BX1GQ3HZ8K',
    name: 'Canvas Tote',
    description: 'Sturdy tote for groceries and books.',
    priceUsd: 14.5,
    categories: ['accessories'],
  },
  {
    id: 'K7TN2MQ4VD',
    name: 'Desk Lamp',
    description: 'Adjustable LED lamp with warm light.',
    priceUsd: 39.0,
    categories: ['home'],
  },
  {
    id: 'R3PW8ZC1LA',
    name: 'Wool Scarf',
    description: 'Soft merino scarf for cold days.',
    priceUsd: 29.95,
    categories: ['clothing', 'accessories'],
  },
];

export const PRODUCT_IDS: readonly string[] = PRODUCTS.map((p) => p.id);

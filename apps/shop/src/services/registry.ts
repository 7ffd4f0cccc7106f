import type { ServiceFactory } from '../runtime/service-context.js';
import type { ServiceName } from '../runtime/service-names.js';
import { cartService } from './cart.js';
import { catalogService } from './catalog.js';
import { checkoutService } from './checkout.js';
import { currencyService } from './currency.js';
import { flagsService } from './flags.js';
import { frontendService } from './frontend.js';
import { loadgenService } from './loadgen.js';
import { paymentService } from './payment.js';
import { shippingService } from './shipping.js';

/** The implementation behind each service name; `onFinished` lets a bounded load run end the process. */
export function serviceFactory(name: ServiceName, onFinished: () => void): ServiceFactory {
  switch (name) {
    case 'frontend':
      return frontendService;
    case 'catalog':
      return catalogService;
    case 'cart':
      return cartService;
    case 'checkout':
      return checkoutService;
    case 'payment':
      return paymentService;
    case 'shipping':
      return shippingService;
    case 'currency':
      return currencyService;
    case 'flags':
      return flagsService;
    case 'loadgen':
      return (ctx) => loadgenService(ctx, onFinished);
  }
}

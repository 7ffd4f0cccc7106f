import type { ServiceFactory } from '../runtime/service-context.js';
import type { ServiceName } from '../runtime/service-names.js';

/**
 * The implementation behind each service name, imported on demand so a process loads only its own code and
 * libraries (ioredis costs ~20 MiB of RSS and only cart needs it). `onFinished` lets a bounded load run end
 * the process.
 */
export async function serviceFactory(name: ServiceName, onFinished: () => void): Promise<ServiceFactory> {
  switch (name) {
    case 'frontend':
      return (await import('./frontend.js')).frontendService;
    case 'catalog':
      return (await import('./catalog.js')).catalogService;
    case 'cart':
      return (await import('./cart.js')).cartService;
    case 'checkout':
      return (await import('./checkout.js')).checkoutService;
    case 'payment':
      return (await import('./payment.js')).paymentService;
    case 'shipping':
      return (await import('./shipping.js')).shippingService;
    case 'currency':
      return (await import('./currency.js')).currencyService;
    case 'inventory':
      return (await import('./inventory.js')).inventoryService;
    case 'accounting':
      return (await import('./accounting.js')).accountingService;
    case 'fulfillment':
      return (await import('./fulfillment.js')).fulfillmentService;
    case 'flags':
      return (await import('./flags.js')).flagsService;
    case 'loadgen': {
      const { loadgenService } = await import('./loadgen.js');
      return (ctx) => loadgenService(ctx, onFinished);
    }
  }
}

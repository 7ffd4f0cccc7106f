export * from './versions.js';
export * from './image-ref.js';

// Short names for the generated OpenAPI shapes (schema.d.ts), shared by every client module.
import type { components, paths } from './schema';

/** A named schema of the API (components.schemas). */
export type Schema<K extends keyof components['schemas']> = components['schemas'][K];

/** The JSON body a POST to `P` takes. */
export type PostBody<P extends keyof paths> = paths[P] extends {
  post: { requestBody?: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

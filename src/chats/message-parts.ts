import { type LocationModel } from './message-parts.model.js';

/** A stored WALocation (messages.location) as the API shows it; null when it is not one. */
export function locationModelOf(location: Record<string, unknown> | null | undefined): LocationModel | null {
  if (!location) return null;
  const text = (value: unknown): string | null =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
  const latitude = text(location['latitude']);
  const longitude = text(location['longitude']);
  if (latitude === null || longitude === null) return null;
  return {
    latitude,
    longitude,
    name: text(location['name']),
    address: text(location['address']),
    live: location['live'] === true,
  };
}

import { jest } from '@jest/globals';

// End-to-end specs start real n8n, the service and the WAHA simulator: minutes, not seconds.
jest.setTimeout(600_000);

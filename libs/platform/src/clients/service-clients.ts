import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import type { AxiosInstance } from 'axios';

/** What a generated client's `createClient` accepts (hey-api axios client). */
export interface GeneratedClientConfig {
  baseURL: string;
  axios: AxiosInstance;
  throwOnError?: boolean;
}

/**
 * Builds generated OpenAPI clients on the process's one @nestjs/axios instance, so every
 * inter-service call shares its connection pooling, timeouts and (later) resilience policies, and is
 * traced by the HTTP instrumentation. Apps never call another service any other way.
 */
@Injectable()
export class ServiceClients {
  constructor(private readonly http: HttpService) {}

  create<C>(createClient: (config: GeneratedClientConfig) => C, baseURL: string): C {
    return createClient({ baseURL, axios: this.http.axiosRef, throwOnError: true });
  }
}

import {
  HttpException,
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnModuleInit,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import { MetricsService, ReadinessRegistry, checkedImage, problem } from '@airport-mesh/platform';
import { type Box, matchDescriptor } from '@airport-mesh/vision';
import { VisionProvider, toHttpError } from '@airport-mesh/vision/nest';
import type { FaceRecognitionEnv } from '../face-recognition.env.js';
import type { PersonDto, RecognitionDto } from './watchlist.dto.js';
import { type PersonRow, PersonsRepository } from './persons.repository.js';
import { SEED_FILE, computeSeed, faceThumbnail, readSeed } from './seed.js';

const roundBox = (b: Box) => ({
  x: Math.round(b.x),
  y: Math.round(b.y),
  width: Math.round(b.width),
  height: Math.round(b.height),
});

@Injectable()
export class WatchlistService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(WatchlistService.name);
  private gallery: { item: PersonRow; descriptors: Float32Array[] }[] = [];
  private readonly threshold: number;
  private readonly seed: 'default' | 'none';
  private seeded = false;
  private readonly recognized: Counter<'outcome'>;

  constructor(
    private readonly repository: PersonsRepository,
    private readonly provider: VisionProvider,
    config: ConfigService<FaceRecognitionEnv, true>,
    private readonly readiness: ReadinessRegistry,
    metrics: MetricsService,
  ) {
    this.threshold = config.get('MATCH_THRESHOLD', { infer: true });
    this.seed = config.get('WATCHLIST_SEED', { infer: true });
    this.recognized = metrics.counter(
      'face_recognition_faces_total',
      'Faces looked up, by outcome: matched or unknown',
      ['outcome'],
    );
    this.reload();
  }

  onModuleInit(): void {
    this.readiness.register('watchlist', () => {
      if (!this.seeded) throw new Error('watch list not seeded yet');
      return { persons: this.gallery.length, path: this.repository.path };
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.seed === 'default' && this.repository.count() === 0) {
      try {
        await this.seedDefaults();
      } catch (error) {
        // The demo seed is a convenience: without it the service still works, with an empty list.
        this.logger.error(`could not seed the default watch list: ${error instanceof Error ? error.message : error}`);
      }
    }
    this.seeded = true;
  }

  /**
   * Enrols the demo persons from the largest face of each chosen sample photo: as the build computed
   * them with these very models (dist/watchlist-seed.json), else by running the models now.
   */
  private async seedDefaults(): Promise<void> {
    const built = readSeed(SEED_FILE, this.provider.vision.modelsDir);
    const persons = built ?? (await computeSeed(this.provider.vision));
    for (const { name, sample, descriptor, thumbnail } of persons) {
      this.store(name, [descriptor], thumbnail);
      this.logger.log(`watch list seeded: ${name} from ${sample}${built ? ' (computed at build time)' : ''}`);
    }
  }

  private reload(): void {
    this.gallery = this.repository.all().map((p) => ({ item: p, descriptors: p.descriptors }));
  }

  async enrol(name: string, images: Buffer[]): Promise<PersonDto> {
    const descriptors: Float32Array[] = [];
    let thumbnail: Buffer | undefined;
    for (const [i, image] of images.entries()) {
      checkedImage(image, `image ${i + 1}: `); // JPEG or PNG, bounded size: before any decoder runs
      let result;
      try {
        result = await this.provider.vision.analyze(image);
      } catch (error) {
        const mapped = toHttpError(error);
        if (mapped instanceof HttpException) {
          const body = mapped.getResponse() as { detail: string };
          throw new HttpException(problem(mapped.getStatus(), `image ${i + 1}: ${body.detail}`), mapped.getStatus());
        }
        throw mapped;
      }
      if (result.faces.length !== 1) {
        throw new UnprocessableEntityException(
          problem(
            422,
            `image ${i + 1}: ${result.faces.length === 0 ? 'no face found' : `${result.faces.length} faces found`}; enrol each person from photos showing exactly one face`,
          ),
        );
      }
      descriptors.push(result.faces[0].descriptor);
      thumbnail ??= await faceThumbnail(image, result.faces[0].box, 0.15, 112);
    }
    return this.store(name, descriptors, thumbnail!);
  }

  private store(name: string, descriptors: Float32Array[], thumbnail: Buffer): PersonDto {
    const person = { id: randomUUID(), name, createdAt: new Date().toISOString(), thumbnail, descriptors };
    this.repository.insert(person);
    this.reload();
    return this.toDto(person);
  }

  list(): PersonDto[] {
    return this.gallery.map((g) => this.toDto(g.item));
  }

  get(id: string): PersonDto {
    const person = this.gallery.find((g) => g.item.id === id);
    if (!person) throw new NotFoundException(problem(404, `no person ${id}`));
    return this.toDto(person.item);
  }

  thumbnail(id: string): Buffer {
    const jpeg = this.repository.thumbnail(id);
    if (!jpeg) throw new NotFoundException(problem(404, `no person ${id}`));
    return jpeg;
  }

  remove(id: string): void {
    if (!this.repository.remove(id)) throw new NotFoundException(problem(404, `no person ${id}`));
    this.reload();
  }

  async recognize(image: Buffer): Promise<RecognitionDto> {
    let result;
    try {
      result = await this.provider.vision.analyze(image);
    } catch (error) {
      throw toHttpError(error);
    }
    return this.match(result.faces);
  }

  /** The watch-list persons among already described faces. */
  match(faces: { box: Box; descriptor: ArrayLike<number> }[]): RecognitionDto {
    const matches = faces.flatMap((face) => {
      const best = matchDescriptor(face.descriptor, this.gallery, this.threshold)[0];
      this.recognized.inc({ outcome: best ? 'matched' : 'unknown' });
      return best
        ? [
            {
              personId: best.item.id,
              name: best.item.name,
              similarity: Math.round(best.similarity * 1000) / 1000,
              box: roundBox(face.box),
            },
          ]
        : [];
    });
    return {
      faces: faces.length,
      matches: matches.sort((a, b) => b.similarity - a.similarity),
      threshold: this.threshold,
    };
  }

  private toDto(p: { id: string; name: string; createdAt: string; descriptors: Float32Array[] }): PersonDto {
    return {
      id: p.id,
      name: p.name,
      descriptors: p.descriptors.length,
      createdAt: p.createdAt,
      thumbnailUrl: `/persons/${p.id}/thumbnail`,
    };
  }
}

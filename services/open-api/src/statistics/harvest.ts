import { DATA_DOMAINS, labelOf, Public, UPDATE_CYCLES } from '@gov/shared';
import { Controller, Get, Header, Injectable, Query, Req } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { baseUrlOf } from '../catalog/open-catalog.controller';
import { OpenCatalogService, OpenDatasetRow } from '../catalog/open-catalog.service';
import { OpenErrors } from '../open.errors';

/** 更新周期 → EU frequency vocabulary (DCAT-AP dct:accrualPeriodicity). */
const FREQUENCY: Record<string, string> = {
  REALTIME: 'CONT',
  DAILY: 'DAILY',
  WEEKLY: 'WEEKLY',
  MONTHLY: 'MONTHLY',
  QUARTERLY: 'QUARTERLY',
  HALF_YEARLY: 'ANNUAL_2',
  YEARLY: 'ANNUAL',
  IRREGULAR: 'IRREG',
};

const FORMATS = [
  { format: 'CSV', mediaType: 'text/csv', q: 'csv' },
  { format: 'XLSX', mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', q: 'xlsx' },
  { format: 'JSON', mediaType: 'application/json', q: 'json' },
];

export class CkanSearchQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1000) rows?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) start?: number;
}

export class CkanShowQuery {
  @ApiPropertyOptional({ description: '数据集 id 或 name' }) @IsString() @MaxLength(100) id: string;
}

/** Harvesting: DCAT-AP JSON-LD and a CKAN action API subset over the public catalog. */
@Injectable()
export class HarvestService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: OpenCatalogService,
  ) {}

  private async rows(): Promise<OpenDatasetRow[]> {
    return this.db.query(`SELECT * FROM openapi.open_dataset WHERE status = 'open' ORDER BY published_at DESC`);
  }

  async dcat(base: string) {
    const rows = await this.rows();
    const api = `${base}/api/open`;
    return {
      '@context': {
        dcat: 'http://www.w3.org/ns/dcat#',
        dct: 'http://purl.org/dc/terms/',
        foaf: 'http://xmlns.com/foaf/0.1/',
        xsd: 'http://www.w3.org/2001/XMLSchema#',
        vcard: 'http://www.w3.org/2006/vcard/ns#',
      },
      '@id': `${api}/v1/catalog.jsonld`,
      '@type': 'dcat:Catalog',
      'dct:title': { '@language': 'zh', '@value': '政务数据开放目录' },
      'dct:description': { '@language': 'zh', '@value': '本平台无条件开放和有条件开放的政务数据资源' },
      'foaf:homepage': { '@id': base },
      'dcat:dataset': rows.map((r) => this.dcatDataset(api, r)),
    };
  }

  private dcatDataset(api: string, r: OpenDatasetRow) {
    const id = `${api}/v1/datasets/${r.entry_id}`;
    const modified = r.data_updated_at ?? r.published_at;
    return {
      '@id': id,
      '@type': 'dcat:Dataset',
      'dct:identifier': r.resource_code,
      'dct:title': { '@language': 'zh', '@value': r.name },
      'dct:description': { '@language': 'zh', '@value': r.abstract },
      'dct:publisher': { '@type': 'foaf:Agent', 'foaf:name': r.dept_name, '@id': `urn:govdata:dept:${r.dept_id}` },
      'dct:issued': { '@type': 'xsd:dateTime', '@value': new Date(r.published_at).toISOString() },
      'dct:modified': { '@type': 'xsd:dateTime', '@value': new Date(modified).toISOString() },
      'dcat:keyword': r.tags ?? [],
      'dcat:theme': r.domain_code ? { '@id': `urn:govdata:domain:${r.domain_code}`, 'dct:title': labelOf(DATA_DOMAINS, r.domain_code) ?? r.domain_code } : undefined,
      'dct:accrualPeriodicity': r.update_cycle ? { '@id': `http://publications.europa.eu/resource/authority/frequency/${FREQUENCY[r.update_cycle] ?? 'UNKNOWN'}` } : undefined,
      'dct:accessRights': { '@id': `http://publications.europa.eu/resource/authority/access-right/${r.open_type === 'UNCONDITIONAL' ? 'PUBLIC' : 'RESTRICTED'}` },
      'dcat:landingPage': { '@id': id },
      'dcat:distribution': r.table_name && r.release_state !== 'refused'
        ? [
            ...FORMATS.map((f) => ({
              '@type': 'dcat:Distribution',
              'dct:format': f.format,
              'dcat:mediaType': f.mediaType,
              'dcat:downloadURL': { '@id': `${id}/download?format=${f.q}` },
              'dcat:accessURL': { '@id': id },
              'dct:license': r.licence,
            })),
            {
              '@type': 'dcat:Distribution',
              'dct:title': 'API',
              'dcat:accessURL': { '@id': `${id}/records` },
              'dcat:accessService': { '@type': 'dcat:DataService', 'dcat:endpointURL': { '@id': `${id}/records` }, 'dcat:endpointDescription': { '@id': `${id}/openapi.json` } },
            },
          ]
        : [],
    };
  }

  ckanPackage(api: string, r: OpenDatasetRow) {
    const id = `${api}/v1/datasets/${r.entry_id}`;
    return {
      id: r.entry_id,
      name: `rc-${r.resource_code.replace(/[^0-9a-z]+/gi, '-').toLowerCase()}`,
      title: r.name,
      notes: r.abstract,
      url: id,
      license_title: r.licence,
      metadata_created: new Date(r.published_at).toISOString(),
      metadata_modified: new Date(r.data_updated_at ?? r.published_at).toISOString(),
      organization: { id: r.dept_id, name: r.dept_id, title: r.dept_name },
      tags: (r.tags ?? []).map((t) => ({ name: t })),
      groups: r.domain_code ? [{ name: r.domain_code, title: labelOf(DATA_DOMAINS, r.domain_code) ?? r.domain_code }] : [],
      num_resources: r.table_name && r.release_state !== 'refused' ? FORMATS.length + 1 : 0,
      resources: r.table_name && r.release_state !== 'refused'
        ? [
            ...FORMATS.map((f) => ({ id: `${r.entry_id}-${f.q}`, name: `${r.name}.${f.q}`, format: f.format, mimetype: f.mediaType, url: `${id}/download?format=${f.q}` })),
            { id: `${r.entry_id}-api`, name: `${r.name} API`, format: 'API', url: `${id}/records`, description: `OpenAPI: ${id}/openapi.json` },
          ]
        : [],
      extras: [
        { key: 'resource_code', value: r.resource_code },
        { key: 'open_type', value: r.open_type },
        { key: 'update_cycle', value: r.update_cycle ? (labelOf(UPDATE_CYCLES, r.update_cycle) ?? r.update_cycle) : '' },
      ],
    };
  }

  async packageSearch(base: string, q: CkanSearchQuery) {
    const found = await this.catalog.search({ q: q.q, pageSize: 100_000 });
    const rows = await this.rows();
    const byId = new Map(rows.map((r) => [r.entry_id, r]));
    const start = q.start ?? 0;
    const n = q.rows ?? 10;
    const results = found.items.slice(start, start + n).map((i) => this.ckanPackage(`${base}/api/open`, byId.get(i.id)!)).filter(Boolean);
    return { help: `${base}/api/open/ckan/api/3/action/help_show?name=package_search`, success: true, result: { count: found.total, results, sort: 'score desc, metadata_modified desc', facets: {} } };
  }

  async packageShow(base: string, idOrName: string) {
    const rows = await this.rows();
    const r = rows.find((x) => x.entry_id === idOrName || this.ckanPackage('', x).name === idOrName);
    if (!r) throw OpenErrors.datasetNotFound(idOrName);
    return { help: `${base}/api/open/ckan/api/3/action/help_show?name=package_show`, success: true, result: this.ckanPackage(`${base}/api/open`, r) };
  }
}

@ApiTags('数据汇聚 harvesting')
@Controller()
export class HarvestController {
  constructor(private readonly harvest: HarvestService) {}

  @Get('v1/catalog.jsonld')
  @Public()
  @Header('Content-Type', 'application/ld+json; charset=utf-8')
  @ApiOperation({ summary: 'DCAT-AP 目录（JSON-LD）/ DCAT-AP catalog as JSON-LD' })
  dcat(@Req() req: Request) {
    return this.harvest.dcat(baseUrlOf(req));
  }

  @Get('ckan/api/3/action/package_search')
  @Public()
  @ApiOperation({ summary: 'CKAN package_search（子集）/ CKAN-compatible search' })
  packageSearch(@Req() req: Request, @Query() q: CkanSearchQuery) {
    return this.harvest.packageSearch(baseUrlOf(req), q);
  }

  @Get('ckan/api/3/action/package_show')
  @Public()
  @ApiOperation({ summary: 'CKAN package_show（子集）/ CKAN-compatible dataset' })
  packageShow(@Req() req: Request, @Query() q: CkanShowQuery) {
    return this.harvest.packageShow(baseUrlOf(req), q.id);
  }
}

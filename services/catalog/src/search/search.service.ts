import { DepartmentScope } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { SearchEntriesQuery, SearchResult } from './dto/search.dto';
import { CatalogSearchIndex } from './search-index';
import { SqlSearch } from './sql-search';

/**
 * 目录检索. Answered from the in-memory index of this process (CatalogSearchIndex: loaded at
 * bootstrap, caught up with catalog.entry_search before every search), in SQL while the index is
 * loading. Both give the same result; see SqlSearch for the rules (visibility, terms, scoring,
 * facets, orders).
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly index: CatalogSearchIndex,
    private readonly sql: SqlSearch,
  ) {}

  async search(scope: DepartmentScope, query: SearchEntriesQuery): Promise<SearchResult> {
    return (await this.index.search(scope, query)) ?? this.sql.search(scope, query);
  }
}

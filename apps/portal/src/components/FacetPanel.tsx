import { Card, Checkbox, Typography } from 'antd';
import type { FacetBucket } from '../api/types';

export interface FacetDef {
  /** Key of the facet in the search answer. */
  key: string;
  /** Query-string parameter that filters by it. */
  param: string;
  title: string;
}

/**
 * Facet filters of a search page (one value per facet, kept in the URL). A facet with no buckets is
 * hidden, unless `keepSelected` and a value of it is chosen, so the choice can still be undone.
 */
export function FacetPanel(props: {
  facets: readonly FacetDef[];
  buckets: Record<string, FacetBucket[]> | undefined;
  selected: URLSearchParams;
  onChange: (patch: Record<string, string | undefined>) => void;
  keepSelected?: boolean;
}) {
  const { facets, buckets, selected, onChange, keepSelected } = props;
  return (
    <Card size="small" title="筛选">
      {facets.map((f) => {
        const list = buckets?.[f.key] ?? [];
        if (!list.length && !(keepSelected && selected.get(f.param))) return null;
        return (
          <fieldset key={f.key} style={{ border: 0, padding: 0, margin: '0 0 12px' }}>
            <legend style={{ fontWeight: 600, fontSize: 13, marginBottom: 4 }}>{f.title}</legend>
            {list.map((b) => (
              <div key={b.value}>
                <Checkbox checked={selected.get(f.param) === b.value} onChange={(e) => onChange({ [f.param]: e.target.checked ? b.value : undefined })}>
                  {b.label} <Typography.Text type="secondary">({b.count})</Typography.Text>
                </Checkbox>
              </div>
            ))}
          </fieldset>
        );
      })}
    </Card>
  );
}

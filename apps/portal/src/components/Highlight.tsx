import { Fragment } from 'react';

/** Marks every occurrence of the query's words (space-separated) in `text`. */
export function Highlight({ text, query }: { text: string; query?: string }) {
  const words = (query ?? '').split(/\s+/).filter(Boolean);
  if (!words.length || !text) return <>{text}</>;
  const re = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  return (
    <>
      {text.split(re).map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : <Fragment key={i}>{part}</Fragment>))}
    </>
  );
}

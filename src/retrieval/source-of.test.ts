import { describe, expect, it } from 'vitest';
import { sourceOf } from './source-of.js';

describe('sourceOf', () => {
  it('should read every citation field from ingester metadata', () => {
    const source = sourceOf({
      source: 'guide/install.md',
      title: 'Install',
      heading: 'Docker',
      anchor: 'docker',
      start_line: 10,
      end_line: 24,
    });
    expect(source).toEqual({
      path: 'guide/install.md',
      title: 'Install',
      heading: 'Docker',
      anchor: 'docker',
      lines: [10, 24],
    });
  });

  it('should give nulls for records without metadata', () => {
    expect(sourceOf(null)).toEqual({ path: null, title: null, heading: null, anchor: null, lines: null });
  });

  it('should fall back to the last heading of heading_path', () => {
    expect(sourceOf({ heading_path: ['Guide', 'Setup'] }).heading).toBe('Setup');
    expect(sourceOf({ heading_path: 'Guide > Setup > Docker' }).heading).toBe('Docker');
  });

  it('should ignore fields of the wrong type and empty anchors', () => {
    const source = sourceOf({ source: 3, anchor: '', start_line: 'ten', end_line: 4 });
    expect(source).toEqual({ path: null, title: null, heading: null, anchor: null, lines: null });
  });

  it('should read the page of a PDF passage, whose anchor is the page=N fragment', () => {
    const source = sourceOf({
      source: 'manual.pdf',
      heading: 'Restore',
      anchor: 'page=7',
      page: 7,
      page_end: 8,
    });
    expect(source).toEqual({
      path: 'manual.pdf',
      title: null,
      heading: 'Restore',
      anchor: 'page=7',
      lines: null,
      page: 7,
    });
    expect(sourceOf({ page: 0 })).not.toHaveProperty('page');
  });

  it('should drop line ranges that end before they start', () => {
    expect(sourceOf({ start_line: 9, end_line: 3 }).lines).toBeNull();
  });
});

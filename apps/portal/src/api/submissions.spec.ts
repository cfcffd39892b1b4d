import { Submission, submissionState } from './submissions';

const base: Submission = {
  kind: 'data_request',
  id: 'x',
  datasetId: null,
  datasetName: null,
  datasets: [],
  title: '需求',
  body: '内容',
  status: 'open',
  answer: null,
  answeredAt: null,
  dueOn: '2026-12-01',
  overdue: false,
  scores: null,
  url: null,
  createdAt: '2026-11-24T00:00:00.000Z',
};

describe('submissionState (我的提交)', () => {
  it('names the feedback state: waiting, overdue, answered', () => {
    expect(submissionState(base).label).toBe('待答复');
    expect(submissionState({ ...base, overdue: true })).toEqual({ label: '已逾期未答复', color: 'error' });
    expect(submissionState({ ...base, status: 'answered', answer: '已答复' }).label).toBe('已答复');
  });

  it('names the showcase review state, and ratings and comments as published', () => {
    expect(submissionState({ ...base, kind: 'showcase', status: 'pending' }).label).toBe('待审核');
    expect(submissionState({ ...base, kind: 'showcase', status: 'published' }).label).toBe('已展示');
    expect(submissionState({ ...base, kind: 'showcase', status: 'rejected' }).label).toBe('未通过审核');
    expect(submissionState({ ...base, kind: 'showcase', status: 'withdrawn' }).label).toBe('withdrawn');
    expect(submissionState({ ...base, kind: 'rating', status: 'submitted' }).label).toBe('已发布');
  });
});

import { SnapshotRequests } from '../../src/cobrowse/snapshotRequests';

describe("requests for the customer's page's snapshot", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function asked() {
    const times: Array<[string, number]> = [];
    const requests = new SnapshotRequests((visitorId) => void times.push([visitorId, Date.now()]), 1000);
    return { requests, times, start: Date.now() };
  }

  it('go at once, then at most once per interval, the ones in between as one at its end', () => {
    const { requests, times, start } = asked();
    requests.request('page-1');
    for (let i = 0; i < 50; i++) requests.request('page-1');
    expect(times).toEqual([['page-1', start]]);
    jest.advanceTimersByTime(999);
    expect(times).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(times).toEqual([
      ['page-1', start],
      ['page-1', start + 1000],
    ]);
    jest.advanceTimersByTime(5000); // nothing asked since: nothing more
    expect(times).toHaveLength(2);
  });

  it('go at once again once an interval has passed without one', () => {
    const { requests, times, start } = asked();
    requests.request('page-1');
    jest.advanceTimersByTime(1500);
    requests.request('page-1');
    expect(times.map(([, at]) => at - start)).toEqual([0, 1500]);
  });

  it('are counted per page', () => {
    const { requests, times } = asked();
    requests.request('page-1');
    requests.request('page-2');
    requests.request('page-1');
    expect(times.map(([page]) => page)).toEqual(['page-1', 'page-2']);
  });

  it('stop when closed', () => {
    const { requests, times } = asked();
    requests.request('page-1');
    requests.request('page-1');
    requests.close();
    jest.advanceTimersByTime(5000);
    expect(times).toHaveLength(1);
  });
});

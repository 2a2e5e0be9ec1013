# Rough space model of a proposed format-3 on sequential-storage's workloads (4 x 256 B, W=1).
import sys
PAGE=256; N=4
def run_map(page_hdr, item_hdr, key_len=2, keep_free=1):
    L=[11,13,6,13,13,10,2,3,5,36,1,65,4,6,1,15,10,7,3,15,9,3,4,5]
    WO=[15,0,4,22,18,11,19,8,14,23,5,1,16,10,6,12,20,17,3,9,7,13,21,2]
    pages=[]  # list of dict: items [(key,size)], used
    erases=0; programmed=0; copies=0
    live={}   # key -> page index (in pages list, by seq)
    def open_page():
        nonlocal erases, programmed
        pages.append({'items':[], 'used':page_hdr})
        programmed+=page_hdr
    def gc():
        nonlocal erases, copies, programmed
        tail=pages.pop(0)
        erases+=1
        for (k,sz,seq) in tail['items']:
            if live.get(k)==seq:
                put(k,sz,copy=True)
    seqc=[0]
    def put(k,sz,copy=False):
        nonlocal programmed, copies
        need=item_hdr+key_len+sz
        if not pages or pages[-1]['used']+need>PAGE:
            if len(pages)>=N-keep_free:
                # open new page then collect tail
                open_page(); gc()
            else:
                open_page()
            if pages[-1]['used']+need>PAGE: raise Exception('no fit')
        seqc[0]+=1
        pages[-1]['items'].append((k,sz,seqc[0])); pages[-1]['used']+=need
        live[k]=seqc[0]; programmed+=need
        if copy: copies+=1
    for r in range(100):
        for k in WO: put(k,L[k])
    return erases, programmed, copies
def run_queue(page_hdr, item_hdr, pop_cost):
    erases=0; programmed=0
    used=None; pages=0
    # each page holds items; an entry pushed then popped; page freed when all its entries popped
    # model: single live entry at most; log space consumed sequentially
    cur=page_hdr; programmed+=page_hdr; pages=1
    for i in range(2000):
        n=i%20+1
        need=item_hdr+n
        if cur+need>PAGE:
            erases+=1  # erase the next page (fresh); old pages freed as entries popped
            cur=page_hdr; programmed+=page_hdr
        cur+=need; programmed+=need
        # pop
        programmed+=pop_cost[0]; cur+=pop_cost[1]
        if cur>PAGE: erases+=1; cur=page_hdr+pop_cost[1]; programmed+=page_hdr
    return erases, programmed
for ph,ih in [(9,7),(10,7),(12,7),(9,6),(8,8)]:
    print('map page_hdr',ph,'item_hdr',ih, 'erases/programmed/copies', run_map(ph,ih))
for ph,ih,pc in [(9,8,(2,0)),(10,8,(2,0)),(9,7,(2,0)),(9,7,(1,1)),(9,8,(1,1))]:
    print('queue page_hdr',ph,'item_hdr',ih,'pop(programmed,space)',pc,'erases/programmed',run_queue(ph,ih,pc))
print('---')
for ph,ih,pc in [(7,8,(2,0)),(5,8,(2,0)),(3,8,(2,0)),(2,8,(2,0))]:
    print('queue page_hdr',ph,'item_hdr',ih,'pop',pc,'erases/programmed',run_queue(ph,ih,pc))
for ph,ih in [(7,7)]:
    print('map page_hdr',ph,'item_hdr',ih, run_map(ph,ih))

_base_ = ['./atomnas-a-search_demo.py']  # alias
